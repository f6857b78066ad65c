#!/usr/bin/env node
// eval.js: how well the built site's search answers real questions.
//
//   node tests/search/eval.js SITE_DIR QUERIES.tsv
//
// Drives the real search page (SITE_DIR/search.html) in headless Chromium
// (Debian's /usr/bin/chromium through playwright-core), once served over
// http://127.0.0.1 by a small server started here and once opened from disk
// over file://.  For each query of QUERIES.tsv (query TAB answer keys
// separated by |) it types the query, waits for the results and judges a
// result right when the text of its question page contains one of the
// keys.  Prints hit@1, hit@3 and MRR for both, the bytes a first search
// transfers and the time from keystroke to results; fails when hit@1 <
// 0.93 or hit@3 < 0.96 or a first search transfers more than 60 KB.
// Ends with "N passed, N failed".  Without the query file it is skipped.
'use strict';
const fs = require('fs');
const os = require('os');
const path = require('path');
const http = require('http');
const zlib = require('zlib');

const HIT1 = 0.93, HIT3 = 0.96, FIRST_BYTES = 60 * 1024;
const site = path.resolve(process.argv[2] || 'public');
const queries = process.argv[3] || path.join(__dirname,
    '../../../shared/search/dev-queries.tsv');
let passed = 0, failed = 0;

function check(ok, what) {
	if (ok) passed++;
	else { failed++; console.log('FAIL: ' + what); }
}

function done() {
	console.log(`${passed} passed, ${failed} failed`);
	process.exit(failed ? 1 : 0);
}

if (!fs.existsSync(queries)) {
	console.log(`skipped: no query set at ${queries}`);
	done();
}
if (!fs.existsSync(path.join(site, 'search.html'))) {
	console.log(`${site}/search.html: no such file; build the site first`);
	failed++;
	done();
}

const set = fs.readFileSync(queries, 'utf8').split('\n')
    .filter((l) => l.trim() && !l.startsWith('#'))
    .map((l) => { const [q, k] = l.split('\t'); return { q, keys: k.split('|') }; });

// The text of a built page: tags dropped, entities decoded.
const texts = new Map();
function pageText(rel) {
	if (!texts.has(rel)) {
		let s = '';
		try { s = fs.readFileSync(path.join(site, rel), 'utf8'); } catch (e) { /* missing */ }
		s = s.replace(/<script[\s\S]*?<\/script>|<style[\s\S]*?<\/style>/g, ' ')
		    .replace(/<[^>]*>/g, '')
		    .replace(/&#(\d+);/g, (m, n) => String.fromCodePoint(+n))
		    .replace(/&#x([0-9a-f]+);/gi, (m, n) => String.fromCodePoint(parseInt(n, 16)))
		    .replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"')
		    .replace(/&#39;/g, "'").replace(/&amp;/g, '&');
		// The main content only, when the page marks it.
		texts.set(rel, s);
	}
	return texts.get(rel);
}

// Static files, gzip when the browser asks, every response counted.
const TYPES = { '.html': 'text/html; charset=utf-8', '.css': 'text/css',
	'.js': 'text/javascript', '.json': 'application/json',
	'.xml': 'application/xml', '.txt': 'text/plain; charset=utf-8',
	'.svg': 'image/svg+xml', '.png': 'image/png', '.ico': 'image/x-icon' };
const log = [];
const server = http.createServer((req, res) => {
	const u = decodeURIComponent(new URL(req.url, 'http://x').pathname);
	const file = path.join(site, path.normalize(u).replace(/^(\.\.[/\\])+/, ''));
	let body;
	try { body = fs.readFileSync(file.endsWith('/') ? file + 'index.html' : file); } catch (e) {
		res.writeHead(404); res.end(); log.push({ u, raw: 0, sent: 0 }); return;
	}
	const head = { 'Content-Type': TYPES[path.extname(file)] || 'application/octet-stream',
		'Cache-Control': 'no-cache' };
	let sent = body;
	if (/\bgzip\b/.test(req.headers['accept-encoding'] || '') && body.length > 256) {
		sent = zlib.gzipSync(body, { level: 6 });
		head['Content-Encoding'] = 'gzip';
	}
	res.writeHead(200, head);
	res.end(sent);
	log.push({ u, raw: body.length, sent: sent.length });
});

// Types q into the page's box (one input event, as an input method
// commits a phrase); resolves to {hrefs, ms, count}, ms from the input
// event to the results on screen.
async function ask(page, q) {
	const input = page.locator('form[data-page] input');
	await input.fill('');
	await page.evaluate((want) => {
		window.__done = new Promise((resolve) => {
			const form = document.querySelector('form[data-page]');
			let t0 = 0;
			form.addEventListener('input', () => { t0 = performance.now(); },
			    { capture: true, once: true });
			form.addEventListener('searchresults', function on(e) {
				if (e.detail.query !== want) return;
				form.removeEventListener('searchresults', on);
				resolve({ ms: performance.now() - t0, count: e.detail.count });
			});
		});
	}, q.trim());
	await input.fill(q);
	const r = await page.evaluate(() => window.__done);
	const hrefs = await page.$$eval('form[data-page] a[role=option]',
	    (as) => as.map((a) => a.href));
	const cats = await page.$$eval('form[data-page] a[role=option]',
	    (as) => as.map((a) => (a.querySelector('.search-cat') || {}).textContent));
	return { hrefs, cats, ms: r.ms, count: r.count };
}

function relOf(href, base) {
	const u = new URL(href);
	let p = decodeURIComponent(u.pathname);
	const b = decodeURIComponent(new URL(base).pathname);
	return p.startsWith(b) ? p.slice(b.length) : p;
}

async function run(context, base, name) {
	const page = await context.newPage();
	const errors = [];
	page.on('pageerror', (e) => errors.push(String(e)));
	await page.goto(base + 'search.html');
	let h1 = 0, h3 = 0, mrr = 0, anchors = 0;
	const times = [], badAnchor = [], badCat = [];
	const catNames = new Set(JSON.parse(fs.readFileSync(path.join(site,
	    'search/cats.json'), 'utf8')).map((c) => c[0]));
	for (const { q, keys } of set) {
		const r = await ask(page, q);
		times.push(r.ms);
		// A result names its category, and an anchor is on its page.
		r.cats.forEach((c, i) => { if (!catNames.has(c)) badCat.push(`${q}: ${c}`); });
		for (const h of r.hrefs) {
			const frag = decodeURIComponent(new URL(h).hash.slice(1));
			if (!frag)
				continue;
			anchors++;
			const html = fs.readFileSync(path.join(site, relOf(h, base)), 'utf8');
			if (!html.includes(`id="${frag}"`))
				badAnchor.push(relOf(h, base) + '#' + frag);
		}
		let rank = 0;
		for (let i = 0; i < r.hrefs.length && !rank; i++) {
			const text = pageText(relOf(r.hrefs[i], base));
			if (keys.some((k) => text.includes(k))) rank = i + 1;
		}
		if (rank === 1) h1++;
		if (rank && rank <= 3) h3++;
		if (rank) mrr += 1 / rank;
		if (rank !== 1)
			console.log(`  ${name}: rank ${rank || '-'} for ${q} (top: ${r.hrefs.slice(0, 3).map((h) => relOf(h, base)).join(' ')})`);
	}
	// Again, with the index files the queries need already loaded.
	const warm = [];
	for (const { q } of set)
		warm.push((await ask(page, q)).ms);
	const n = set.length;
	times.sort((a, b) => a - b);
	warm.sort((a, b) => a - b);
	console.log(`${name}: hit@1 ${(h1 / n).toFixed(3)}  hit@3 ${(h3 / n).toFixed(3)}  MRR ${(mrr / n).toFixed(3)}  (${n} queries)`);
	console.log(`${name}: keystroke to results: median ${times[n >> 1].toFixed(1)} ms, max ${times[n - 1].toFixed(1)} ms loading index files; ` +
	    `median ${warm[n >> 1].toFixed(1)} ms, max ${warm[n - 1].toFixed(1)} ms once loaded`);
	check(h1 / n >= HIT1, `${name}: hit@1 ${(h1 / n).toFixed(3)} < ${HIT1}`);
	check(h3 / n >= HIT3, `${name}: hit@3 ${(h3 / n).toFixed(3)} < ${HIT3}`);
	check(errors.length === 0, `${name}: page errors: ${errors.join('; ')}`);
	check(badCat.length === 0, `${name}: results without their category: ${badCat.slice(0, 3).join('; ')}`);
	check(anchors > 0 && badAnchor.length === 0,
	    `${name}: ${anchors} results link to a heading; missing ids: ${badAnchor.slice(0, 3).join(' ')}`);
	await page.close();
}

// A first search from a fresh browser: the page, styles, scripts, index.
async function firstSearch(context, base) {
	const page = await context.newPage();
	log.length = 0;
	await page.goto(base + 'search.html');
	const r = await ask(page, set[0].q);
	await page.waitForTimeout(100);
	let raw = 0, sent = 0;
	for (const e of log) { raw += e.raw; sent += e.sent; }
	console.log(`first search "${set[0].q}": ${log.length} requests, ${sent} bytes transferred (gzip), ${raw} bytes uncompressed; results in ${r.ms.toFixed(1)} ms`);
	const kinds = {};
	for (const e of log) {
		const k = e.u.startsWith('/search/s/') ? 'index shards' : e.u.startsWith('/search/d/') ?
		    'result files' : e.u.startsWith('/search/') ? 'manifest' : path.extname(e.u) || e.u;
		kinds[k] = kinds[k] || { n: 0, sent: 0, raw: 0 };
		kinds[k].n++; kinds[k].sent += e.sent; kinds[k].raw += e.raw;
	}
	for (const k of Object.keys(kinds).sort())
		console.log(`  ${k}: ${kinds[k].n} files, ${kinds[k].sent} bytes (${kinds[k].raw} uncompressed)`);
	check(sent <= FIRST_BYTES, `first search transfers ${sent} bytes > ${FIRST_BYTES}`);
	// Served over http, the page fetches the index's .json form.
	const forms = log.filter((e) => e.u.startsWith('/search/')).map((e) => path.extname(e.u));
	check(forms.length > 0 && forms.every((x) => x === '.json'),
	    `first search over http loads the index as .json, not ${[...new Set(forms)].join(' ')}`);
	await page.close();
}

// The header box as a keyboard user meets it on the home page.
async function keyboard(context, base) {
	const page = await context.newPage();
	await page.goto(base + 'index.html');
	const box = 'form[data-search]:not([data-page])';
	const input = page.locator(box + ' input');
	await input.focus();
	await input.fill('准考证');
	await page.waitForSelector(box + ' [role=option]');
	check(await input.getAttribute('aria-expanded') === 'true', 'box: results expand the combobox');
	await input.press('ArrowDown');
	await input.press('ArrowDown');
	const id = await input.getAttribute('aria-activedescendant');
	// Option ids end ":N" (no heading id holds ':'): by attribute, as
	// "#a:1" would be a pseudo-class.
	const byId = (x) => page.locator('[id="' + x + '"]');
	check(id && await byId(id).getAttribute('aria-selected') === 'true' &&
	    /:1$/.test(id), 'box: ArrowDown twice selects the second result');
	await input.press('ArrowUp');
	const id0 = await input.getAttribute('aria-activedescendant');
	check(/:0$/.test(id0 || ''), 'box: ArrowUp goes back to the first');
	check(await page.evaluate(() => document.activeElement.tagName) === 'INPUT',
	    'box: focus stays in the input');
	const href = await byId(id0).evaluate((o) => o.href || o.querySelector('a').href);
	await Promise.all([page.waitForURL(href), input.press('Enter')]);
	check(page.url() === href, 'box: Enter opens the selected result');
	await page.goto(base + 'index.html');
	await input.fill('准考证');
	await page.waitForSelector(box + ' [role=option]');
	await input.press('Escape');
	check(await input.getAttribute('aria-expanded') === 'false' &&
	    await page.locator(box + ' .search-pop').isHidden(), 'box: Escape closes the list');
	await input.fill('qqxxzz');
	await page.waitForSelector(box + ' .search-empty li a');
	const cats = await page.locator(box + ' .search-empty li a').count();
	check(cats >= 2, 'box: a search that finds nothing lists the categories');
	const status = await page.locator(box + ' [role=status]').textContent();
	check(/没有/.test(status), 'box: the status says nothing was found');
	await input.fill('缴费');
	await page.waitForSelector(box + ' [role=option] mark');
	check(/\d+/.test(await page.locator(box + ' [role=status]').textContent()),
	    'box: the status counts the results');
	// Typing fast, a keystroke every 20 ms: the first searches at once,
	// the rest of the burst once, when typing pauses (debounced).
	await input.fill('');
	await page.evaluate(() => {
		window.__shown = [];
		document.querySelector('form[data-search]:not([data-page])')
		    .addEventListener('searchresults', (e) => window.__shown.push(e.detail.query));
	});
	await input.pressSequentially('准考证打印时间', { delay: 20 });
	await page.waitForTimeout(400);
	const shown = await page.evaluate(() => window.__shown);
	// (Twice; three times if the machine stalls the keys past 100 ms.)
	check(shown.length >= 2 && shown.length <= 3 && shown[0] === '准' &&
	    shown[shown.length - 1] === '准考证打印时间',
	    `box: a burst of 7 keystrokes searches first and last, not ${JSON.stringify(shown)}`);
	// Focus in the categories a search that found nothing lists stays
	// there when another search finds nothing again.
	await input.fill('qqxxzz');
	await page.waitForSelector(box + ' .search-empty li a');
	await page.locator(box + ' .search-empty li a').first().focus();
	await page.evaluate((sel) => {
		const i = document.querySelector(sel + ' input');
		i.value = 'qqxxyy';
		i.dispatchEvent(new Event('input'));
	}, box);
	await page.waitForTimeout(300);
	check(await page.evaluate((sel) => document.activeElement.closest(sel + ' .search-empty li') !== null, box),
	    'box: focus stays in the listed categories when nothing is found again');
	await page.close();
	// ?q= in the address fills the search page.
	const p2 = await context.newPage();
	await p2.goto(base + 'search.html?q=' + encodeURIComponent('电子证书'));
	await p2.waitForSelector('form[data-page] [role=option]');
	check(await p2.locator('form[data-page] input').inputValue() === '电子证书',
	    'search.html reads ?q=');
	// The page's own box stands in for the header's, which is not shown.
	check(await p2.locator('form[data-search]:not([data-page])').isHidden(),
	    'search.html hides the header search box');
	// More results: the button goes, focus moves to the first new result.
	await p2.goto(base + 'search.html?q=' + encodeURIComponent('考试报名缴费证书'));
	await p2.waitForSelector('form[data-page] .search-more');
	const before = await p2.locator('form[data-page] [role=option]').count();
	await p2.locator('form[data-page] .search-more').focus();
	await p2.keyboard.press('Enter');
	await p2.waitForFunction((n) => document.querySelectorAll('form[data-page] [role=option]').length > n, before);
	const focused = await p2.evaluate(() => document.activeElement.id);
	check(before === 10 && /:10$/.test(focused),
	    `search page: after "more", focus on the 11th result, not ${JSON.stringify(focused)} (${before} shown before)`);
	await p2.close();
}

// Without JavaScript: the header box links to the full question list and
// submits to search.html, which lists the categories.
async function noScript(context, base) {
	const page = await context.newPage();
	await page.goto(base + 'index.html');
	const all = page.locator('form[data-search] a.search-all');
	check(await all.count() === 1 && /all\.html$/.test(await all.getAttribute('href')) &&
	    await all.isVisible(), 'no JavaScript: the header box links to all.html');
	await page.locator('form[data-search] input').fill('准考证');
	await Promise.all([page.waitForURL(/search\.html\?q=/), page.locator('form[data-search] input').press('Enter')]);
	const cats = await page.locator('main a[href$="index.html"]').count();
	check(cats >= 2, `no JavaScript: search.html lists the categories (${cats} links)`);
	await page.close();
}

(async () => {
	let chromium;
	try { ({ chromium } = require('playwright-core')); } catch (e) {
		console.log('playwright-core is not installed: run npm ci');
		failed++;
		done();
	}
	await new Promise((r) => server.listen(0, '127.0.0.1', r));
	const base = `http://127.0.0.1:${server.address().port}/`;
	const launch = (dir, more) => chromium.launchPersistentContext(dir, {
		...more,
		executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
		headless: true,
		args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic',
		    '--no-first-run', '--disable-background-networking',
		    '--disable-component-update', '--disable-sync'],
	});
	const dirs = [];
	const fresh = () => { const d = fs.mkdtempSync(path.join(os.tmpdir(), 'faqgen-eval-')); dirs.push(d); return d; };
	try {
		let ctx = await launch(fresh());
		await firstSearch(ctx, base);
		await ctx.close();
		ctx = await launch(fresh());
		await run(ctx, base, 'http');
		await run(ctx, 'file://' + site + '/', 'file');
		await keyboard(ctx, base);
		await keyboard(ctx, 'file://' + site + '/');
		await ctx.close();
		ctx = await launch(fresh(), { javaScriptEnabled: false });
		await noScript(ctx, base);
		await ctx.close();
	} catch (e) {
		console.log('error: ' + (e.stack || e));
		failed++;
	} finally {
		server.close();
		for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
	}
	done();
})();
