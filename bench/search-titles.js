#!/usr/bin/env node
// search-titles.js: how well search finds a question of a large synthetic
// site from its own title, whole or altered (not a timed test; for
// bench/README.md).  The dev queries have no answers in a synthetic
// corpus, so at 100,000 questions this is the measure of ranking there.
//
//   node bench/search-titles.js SITE QUERIES.tsv
//
// QUERIES.tsv: a query, TAB, the title of the question it should find
// (bench/typo-queries.py makes such a file from the corpus).  Runs
// layouts/assets/search.js's own engine in node over SITE/search/ and
// prints hit@1, hit@3, hit@10 and MRR over the first ten results.
'use strict';
const fs = require('fs');
const path = require('path');
const search = require('../layouts/assets/search.js');

const [site, queries] = process.argv.slice(2);
if (!site || !queries) {
	console.error('usage: node bench/search-titles.js SITE QUERIES.tsv');
	process.exit(2);
}
const dir = path.join(site, 'search');
function read(rel) {
	return JSON.parse(fs.readFileSync(path.join(dir, search.fileOf(rel) + '.json'), 'utf8'));
}
const set = fs.readFileSync(queries, 'utf8').split('\n')
    .filter((l) => l.includes('\t')).map((l) => l.split('\t'));

(async () => {
	let h1 = 0, h3 = 0, h10 = 0, mrr = 0;
	for (const [q, title] of set) {
		const engine = new search.Engine((rel) => Promise.resolve(read(rel)));
		const r = await engine.search(q);
		let rank = 0;
		for (let i = 0; i < Math.min(10, r.hits.length) && !rank; i++)
			if ((await engine.doc(r.hits[i].id)).t === title)
				rank = i + 1;
		h1 += rank === 1;
		h3 += rank >= 1 && rank <= 3;
		h10 += rank >= 1;
		mrr += rank ? 1 / rank : 0;
	}
	const n = set.length, f = (x) => (x / n).toFixed(3);
	console.log(`${site}: ${n} queries: hit@1 ${f(h1)}, hit@3 ${f(h3)}, ` +
	    `hit@10 ${f(h10)}, MRR ${f(mrr)}`);
})();
