// The search engine of layouts/assets/search.js on a small index made
// here: which shards a query loads and which of its tokens count, on a
// large site (the manifest's n above LARGE, 5,000) and a small one.
// Run: node --test tests/search/
'use strict';
const test = require('node:test');
const assert = require('node:assert');
const search = require('../../layouts/assets/search.js');

// Question 0 says 缴费; question 1 has the characters 缴 and 费 apart, and
// 交 and 钱 apart; nothing says 交钱.  Postings: "df gap q", one digit each.
const POSTINGS = {
	缴费: '104',
	缴: '202114',
	费: '202114',
	交: '111',
	钱: '111',
};

// An index of `shards` shards, said to be of n questions (the postings
// are the two questions'), and a loader that records what is asked for.
function site(shards, n = 10000, syn = []) {
	const files = { manifest: { v: 4, n, shards, qs: 4, dc: 4, syn } };
	for (const [t, p] of Object.entries(POSTINGS)) {
		const s = 's/' + search.shard({ t }, shards);
		(files[s] = files[s] || {})[t] = p;
	}
	const loaded = [];
	const engine = new search.Engine((rel) => {
		loaded.push(rel);
		return Promise.resolve(JSON.parse(JSON.stringify(files[rel] || {})));
	});
	return { engine, loaded };
}

const shardOf = (t, n) => 's/' + search.shard({ t }, n);
const kinds = (r) => r.terms.map((t) => t.t + ':' + t.k);

test('large site: a character held by an indexed bigram is neither loaded nor counted', async () => {
	const { engine, loaded } = site(4096);
	const r = await engine.search('缴费');
	assert.deepStrictEqual(kinds(r), ['缴费:2']);
	assert.deepStrictEqual(loaded.sort(),
	    ['manifest', shardOf('缴费', 4096)].sort());
	assert.deepStrictEqual(r.hits.map((h) => h.id), [0]);
});

test('large site: characters whose bigrams are not indexed are loaded and counted', async () => {
	const { engine, loaded } = site(4096);
	const r = await engine.search('交钱');
	assert.deepStrictEqual(kinds(r), ['交:1', '交钱:2', '钱:1']);
	for (const t of ['交钱', '交', '钱'])
		assert.ok(loaded.includes(shardOf(t, 4096)), t);
	assert.deepStrictEqual(r.hits.map((h) => h.id), [1]);
});

test('large site: in one query, only the characters beside a missing bigram', async () => {
	// 缴费 is indexed, 费交 and 交钱 are not: 缴 is left out, 费 is not.
	const { engine } = site(4096);
	const r = await engine.search('缴费交钱');
	assert.deepStrictEqual(kinds(r).filter((k) => k.endsWith(':1')),
	    ['费:1', '交:1', '钱:1']);
	assert.deepStrictEqual(r.hits.map((h) => h.id).sort(), [0, 1]);
});

test('large site: a covered character does not count even when its shard is loaded', async () => {
	// One shard: every token's postings arrive with the first request.
	const { engine, loaded } = site(1);
	const r = await engine.search('缴费');
	assert.deepStrictEqual(loaded.sort(), ['manifest', 's/0']);
	assert.deepStrictEqual(kinds(r), ['缴费:2']);
	assert.deepStrictEqual(r.hits.map((h) => h.id), [0]);
});

test('large site: a one-character query loads and counts its character', async () => {
	const { engine } = site(4096);
	const r = await engine.search('缴');
	assert.deepStrictEqual(kinds(r), ['缴:1']);
	assert.deepStrictEqual(r.hits.map((h) => h.id), [0, 1]);
});

test('large site: a synonym\'s bigram does not leave a character out', async () => {
	// 缴 stands alone in the query; the synonym 缴费 is indexed.
	const { engine } = site(4096, 10000, [['交钱', '缴费']]);
	const r = await engine.search('缴 交钱');
	assert.ok(kinds(r).includes('缴:1'), kinds(r).join(' '));
	assert.ok(kinds(r).includes('缴费:2'), kinds(r).join(' '));
});

test('small site: every shard in one round, every character counts', async () => {
	const { engine, loaded } = site(4096, 5000);
	const r = await engine.search('缴费');
	assert.deepStrictEqual(kinds(r), ['缴:1', '缴费:2', '费:1']);
	assert.deepStrictEqual(loaded.sort(), ['manifest', ...new Set(
	    ['缴费', '缴', '费'].map((t) => shardOf(t, 4096)))].sort());
	assert.deepStrictEqual(r.hits.map((h) => h.id), [0, 1]);
});
