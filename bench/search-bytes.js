#!/usr/bin/env node
// search-bytes.js: what a search costs on a built site, as the browser's
// search.js would pay it (not a timed test; for the README's figures).
//
//   node bench/search-bytes.js SITE QUERIES.tsv [RESULTS]
//
// For each query (text before a TAB) it runs layouts/assets/search.js's own
// engine in node over SITE/search/ and adds up the files a first search
// over http loads (their .json form; the .js form a page opened from disk
// loads is 20 to 30 bytes longer a file): the manifest, every shard the
// engine asks for (each once: the tokens' shards, a character's only when
// no indexed bigram of the query holds it) and the result files of the
// first RESULTS hits (default 10).  Prints the median and largest,
// uncompressed and gzip, and the ranking time with the files read from
// disk.  bench/query-bytes (C) counts shards only, for
// every token kind, as an upper bound.
'use strict';
const fs = require('fs');
const path = require('path');
const zlib = require('zlib');
const search = require('../layouts/assets/search.js');

const [site, queries, shown = '10'] = process.argv.slice(2);
if (!site || !queries) {
	console.error('usage: node bench/search-bytes.js SITE QUERIES.tsv [RESULTS]');
	process.exit(2);
}
const dir = path.join(site, 'search');
const size = new Map();
function cost(rel) {
	if (!size.has(rel)) {
		const b = fs.readFileSync(path.join(dir, search.fileOf(rel) + '.json'));
		size.set(rel, [b.length, zlib.gzipSync(b, { level: 6 }).length]);
	}
	return size.get(rel);
}
function read(rel) {
	return JSON.parse(fs.readFileSync(path.join(dir, search.fileOf(rel) + '.json'), 'utf8'));
}
const manifest = read('manifest');
const list = fs.readFileSync(queries, 'utf8').split('\n')
    .filter((l) => l.trim() && !l.startsWith('#')).map((l) => l.split('\t')[0]);

(async () => {
	const rows = [];
	for (const q of list) {
		// A fresh engine per query: nothing cached from the one before.
		// The files it asks for: which characters' shards it needs
		// depends on what the first shards hold.
		const files = new Set();
		const engine = new search.Engine((rel) => {
			files.add(rel);
			return Promise.resolve(read(rel));
		});
		const t0 = process.hrtime.bigint();
		const r = await engine.search(q);
		const ms = Number(process.hrtime.bigint() - t0) / 1e6;
		for (const h of r.hits.slice(0, +shown))
			files.add('d/' + Math.floor(h.id / (manifest.dc || 1)));
		let raw = 0, gz = 0;
		for (const f of files) { const [a, b] = cost(f); raw += a; gz += b; }
		rows.push({ q, raw, gz, n: files.size, ms });
	}
	const med = (k) => rows.map((r) => r[k]).sort((a, b) => a - b)[rows.length >> 1];
	const max = (k) => rows.reduce((m, r) => (r[k] > m[k] ? r : m));
	console.log(`${site}: ${manifest.n} questions, ${manifest.shards} shards; ` +
	    `${rows.length} queries, ${shown} results shown`);
	console.log(`bytes per query: median ${med('raw')} (${med('gz')} gzip), ` +
	    `max ${max('raw').raw} (${max('raw').gz} gzip) for "${max('raw').q}"; ` +
	    `median ${med('n')} files`);
	console.log(`ranking in node, files read from disk: median ${med('ms').toFixed(1)} ms, ` +
	    `max ${max('ms').ms.toFixed(1)} ms`);
})();
