// The JavaScript tokenizer (layouts/assets/search.js) against the vectors
// the C tokenizer is tested with (tests/unit/test_tokenize.c).
// Run: node --test tests/search/
'use strict';
const test = require('node:test');
const assert = require('node:assert');
const fs = require('fs');
const path = require('path');
const search = require('../../layouts/assets/search.js');

const vectors = JSON.parse(fs.readFileSync(
    path.join(__dirname, 'tokenize-vectors.json'), 'utf8'));

test('vectors file is not empty', () => {
	assert.ok(vectors.length >= 20);
});

for (const v of vectors) {
	test(v.note, () => {
		const got = [];
		search.tokenize(v.input, (t) => got.push(t));
		assert.deepStrictEqual(got, v.tokens);
	});
}

test('kinds: word 0, char 1, bigram 2, trigram 3', () => {
	const kinds = [];
	search.tokenize('准考证 ABC', (t, k) => kinds.push(k));
	assert.deepStrictEqual(kinds, [1, 2, 3, 1, 2, 1, 0]);
});

test('shard hash is FNV-1a over UTF-8, as tokenize_hash()', () => {
	assert.strictEqual(search.hash(''), 2166136261);
	assert.strictEqual(search.hash('a'), 0xe40c292c);
	assert.strictEqual(search.hash('foobar'), 0xbf9cf968);
	/* Multi-byte: the bytes e7 bc b4 e8 b4 b9 of 缴费. */
	let h = 0x811c9dc5;
	for (const b of Buffer.from('缴费'))
		h = Math.imul(h ^ b, 0x1000193) >>> 0;
	assert.strictEqual(search.hash('缴费'), h);
});

test('norm keeps offsets', () => {
	const s = 'ＡＢ考试Ab×';
	assert.strictEqual(search.norm(s).length, s.length);
	assert.strictEqual(search.norm(s), 'ab考试ab×');
});

test('posting lists decode from base-32 digits, as index.c writes them', () => {
	assert.deepStrictEqual(search.decode('0'), [0]);
	assert.deepStrictEqual(search.decode('X0V'), [32, 31]);
	assert.deepStrictEqual(search.decode('_V1'), [1023, 1]);
});
