// lighthouse.mjs: Lighthouse (mobile profile, simulated throttling) on the
// home page and a question page of a built site.
//
//   CHROME_PATH=/usr/bin/chromium node tests/lighthouse.mjs SITE_DIR [MIN]
//
// Each page is audited once, and when a score is below MIN (default 95)
// twice more (a busy machine makes single runs noisy); the median of
// each score is printed and the script fails when any is below MIN.
// RUNS=N audits each page exactly N times.
// The last run's reports go to $LIGHTHOUSE_OUT (a folder) when set.
import fs from 'node:fs';
import path from 'node:path';
import os from 'node:os';
import { createRequire } from 'node:module';
import lighthouse from 'lighthouse';
import * as chromeLauncher from 'chrome-launcher';

const require = createRequire(import.meta.url);
const { serve } = require('./static-server.js');

const site = path.resolve(process.argv[2] || 'public');
const min = Number(process.argv[3] || 95);
const outDir = process.env.LIGHTHOUSE_OUT;
const fixedRuns = process.env.RUNS ? Math.max(1, Number(process.env.RUNS)) : 0;

// The largest question page, as in a11y.js: a long answer with a TOC.
function biggestQuestion() {
	let best = null, size = -1;
	for (const d of fs.readdirSync(site, { withFileTypes: true })) {
		if (!d.isDirectory() || !fs.existsSync(path.join(site, d.name, 'index.html')))
			continue;
		for (const f of fs.readdirSync(path.join(site, d.name))) {
			if (!f.endsWith('.html') || f === 'index.html')
				continue;
			const st = fs.statSync(path.join(site, d.name, f));
			if (st.size > size) { size = st.size; best = `${d.name}/${f}`; }
		}
	}
	return best;
}

const { server, origin } = await serve(site);
const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'faqgen-lighthouse-'));
const chrome = await chromeLauncher.launch({
	chromePath: process.env.CHROME_PATH || '/usr/bin/chromium',
	userDataDir: profile,
	chromeFlags: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic',
	    '--no-first-run', '--disable-background-networking',
	    '--disable-component-update', '--disable-sync'],
});
const cats = ['performance', 'accessibility', 'best-practices', 'seo'];
let failed = 0;
try {
	// A fresh Chromium's first page is slow (caches, fonts): warm it up.
	await lighthouse(origin + 'index.html', { port: chrome.port,
	    logLevel: 'error', onlyCategories: ['performance'] });
	for (const [name, url] of [['home', 'index.html'], ['question', biggestQuestion()]]) {
		// Scores move between runs on a busy machine: take the median.
		const runs = [];
		let r;
		// One run when it passes (most of the time: keeps make test
		// short); else three and their median, or $RUNS when set.
		const want = () => fixedRuns || (runs.length === 1 &&
		    runs[0].every(x => x >= min) ? 1 : 3);
		for (let i = 0; i < want(); i++) {
			r = await lighthouse(origin + url, {
				port: chrome.port, logLevel: 'error', onlyCategories: cats,
				output: outDir ? 'html' : 'json',
			});
			runs.push(cats.map(c => Math.round(r.lhr.categories[c].score * 100)));
		}
		const nruns = runs.length;
		const scores = cats.map((c, k) => runs.map(x => x[k]).sort((x, y) => x - y)[nruns >> 1]);
		const low = scores.some(s => s < min);
		if (low)
			failed++;
		console.log(`${low ? 'FAIL' : 'ok  '} lighthouse ${name} (${url}), ${nruns > 1 ? `median of ${nruns}` : '1 run'}: ` +
		    cats.map((c, i) => `${c} ${scores[i]}`).join(', ') +
		    (nruns > 1 ? ` [runs: ${runs.map(x => x.join('/')).join(' ')}]` : ''));
		if (low)
			for (const c of cats)
				for (const ref of r.lhr.categories[c].auditRefs) {
					const a = r.lhr.audits[ref.id];
					if (ref.weight > 0 && a.score !== null && a.score < 1)
						console.log(`    ${c}: ${a.id} ${a.score} ${a.displayValue || ''}`);
				}
		if (outDir) {
			fs.mkdirSync(outDir, { recursive: true });
			fs.writeFileSync(path.join(outDir, `${name}.html`), r.report);
		}
	}
} finally {
	await chrome.kill();
	server.close();
	fs.rmSync(profile, { recursive: true, force: true });
}
process.exit(failed ? 1 : 0);
