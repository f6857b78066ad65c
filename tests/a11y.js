// a11y.js: axe-core in headless Chromium on the built site, plus
// screenshots for people to look at.
//
//   node tests/a11y.js SITE_DIR [SHOT_DIR]
//
// Serves SITE_DIR from 127.0.0.1 under its base path (tests/static-server.js).
// Pages: home, the first category, the largest question (most likely to
// have a table of contents and a back-to-top link), search.html after
// typing a query, and a missing path (404).  Each is checked in the light and the dark theme.  Prints one
// line per check, "ok" or "FAIL", and exits 1 when any failed.  With
// SHOT_DIR: home, category, question and search with results at 375 and
// 1280 px, the question dark at 375 px and printed, the header drop-down.
'use strict';
const fs = require('fs');
const path = require('path');
const os = require('os');
const { chromium } = require('playwright-core');
const { serve } = require('./static-server.js');

const site = path.resolve(process.argv[2] || 'public');
const shots = process.argv[3] ? path.resolve(process.argv[3]) : null;
const query = process.env.QUERY || '缴费';
const axeSrc = require.resolve('axe-core/axe.min.js');
// The largest question page: categories are folders with an index.html.
function biggestQuestion() {
	let best = null, size = -1;
	for (const d of fs.readdirSync(site, { withFileTypes: true })) {
		if (!d.isDirectory() || !fs.existsSync(path.join(site, d.name, 'index.html')))
			continue;
		for (const f of fs.readdirSync(path.join(site, d.name))) {
			if (!f.endsWith('.html') || f === 'index.html')
				continue;
			const st = fs.statSync(path.join(site, d.name, f));
			if (st.size > size) { size = st.size; best = d.name + '/' + f; }
		}
	}
	return best;
}

let failed = 0, passed = 0;
function report(ok, what, detail) {
	if (ok) passed++; else failed++;
	console.log(`${ok ? 'ok  ' : 'FAIL'} ${what}${detail ? ': ' + detail : ''}`);
}

async function axe(page, what) {
	await page.addScriptTag({ path: axeSrc });
	const r = await page.evaluate(() => window.axe.run(document,
	    { resultTypes: ['violations'] }));
	const v = r.violations;
	report(v.length === 0, `axe ${what}`, v.length ? v.map(x =>
	    `${x.id} (${x.impact}) ${x.nodes.slice(0, 3).map(n => n.target.join(' ')).join(', ')}`).join('; ') :
	    `0 violations, ${r.passes.length} rules passed`);
}

async function main() {
	const { server, origin } = await serve(site);
	const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'faqgen-chromium-'));
	const ctx = await chromium.launchPersistentContext(profile, {
		executablePath: process.env.CHROME_PATH || '/usr/bin/chromium',
		headless: true,
		args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic',
		    '--no-first-run', '--disable-background-networking',
		    '--disable-component-update', '--disable-sync'],
		viewport: { width: 1280, height: 900 },
	});
	const page = ctx.pages()[0] || await ctx.newPage();
	const outside = [];
	page.on('request', r => {
		if (!r.url().startsWith(`http://127.0.0.1:${server.address().port}/`) &&
		    !r.url().startsWith('data:'))
			outside.push(r.url());
	});
	const errors = [];
	page.on('pageerror', e => errors.push(e.message));
	page.on('console', m => {
		if (m.type() === 'error' && !/status of 404/.test(m.text()))
			errors.push(m.text());
	});
	page.on('response', r => {
		if (r.status() >= 400 && !r.url().includes('/no/such/page'))
			errors.push(`${r.status()} ${r.url()}`);
	});

	await page.goto(origin + 'index.html');
	const category = await page.evaluate(() => {
		const a = [...document.querySelectorAll('main a[href$="/index.html"]')];
		return a.length ? a[0].getAttribute('href') : null;
	});
	const question = biggestQuestion();
	const pages = [
		['home', 'index.html'],
		['category', category],
		['question', question],
		['search', 'search.html', true],
		['404', 'no/such/page.html'],
	];
	if (shots)
		fs.mkdirSync(shots, { recursive: true });
	for (const [name, url, search] of pages) {
		if (!url) {
			report(false, `axe ${name}`, 'no such page in the site');
			continue;
		}
		for (const scheme of ['light', 'dark']) {
			await page.emulateMedia({ colorScheme: scheme });
			await page.setViewportSize({ width: 1280, height: 900 });
			const resp = await page.goto(origin + url);
			if (name === '404')
				report(resp.status() === 404, `404 status for a missing page`);
			if (search) {
				const box = page.locator('main input[name="q"]');
				await box.click();
				await page.keyboard.type(query, { delay: 30 });
				try {
					await page.waitForSelector('main .search-list li a', { timeout: 10000 });
					report(true, `search results for ${query} (${scheme})`);
				} catch (e) {
					report(false, `search results for ${query} (${scheme})`, 'none within 10 s');
				}
			}
			await axe(page, `${name} ${scheme} (${url})`);
			if (!shots || (scheme === 'dark' && name !== 'question'))
				continue;
			for (const width of [375, 1280]) {
				if (scheme === 'dark' && width !== 375)
					continue;
				await page.setViewportSize({ width, height: width < 600 ? 812 : 900 });
				await page.waitForTimeout(100);
				const file = path.join(shots, `${name}-${width}${scheme === 'dark' ? '-dark' : ''}.png`);
				await page.screenshot({ path: file, fullPage: true });
			}
		}
	}
	// A question on paper (the print sheet), A4 wide.
	if (shots && question) {
		await page.emulateMedia({ media: 'print', colorScheme: 'light' });
		await page.setViewportSize({ width: 794, height: 1123 });
		await page.goto(origin + question);
		await page.screenshot({ path: path.join(shots, 'question-print.png'), fullPage: true });
		await page.emulateMedia({ media: 'screen' });
	}
	// The header search box on a narrow screen: the drop-down open.
	await page.emulateMedia({ colorScheme: 'light' });
	await page.setViewportSize({ width: 375, height: 812 });
	await page.goto(origin + 'index.html');
	await page.locator('header input[name="q"]').click();
	await page.keyboard.type(query, { delay: 30 });
	try {
		await page.waitForSelector('header .search-list li a', { timeout: 10000 });
		report(true, 'header search drop-down shows results');
		await axe(page, 'home with the search drop-down open');
		if (shots)
			await page.screenshot({ path: path.join(shots, 'search-dropdown-375.png') });
	} catch (e) {
		report(false, 'header search drop-down shows results', 'none within 10 s');
	}
	report(outside.length === 0, 'no requests outside the site', outside.slice(0, 3).join(' '));
	report(errors.length === 0, 'no script errors', errors.slice(0, 3).join(' | '));
	await ctx.close();
	server.close();
	fs.rmSync(profile, { recursive: true, force: true });
	console.log(`a11y: ${passed} passed, ${failed} failed`);
	process.exit(failed ? 1 : 0);
}

main().catch(e => { console.error(e); process.exit(1); });
