// jsonld.js: the schema.org JSON-LD of every page of a built site.
//
//   node tests/jsonld.js SITE_DIR
//
// Every <script type="application/ld+json"> block must parse.  Question
// pages (<category>/<slug>.html) need an FAQPage whose one Question has
// the page's <h1> as its name and a non-empty acceptedAnswer; category
// pages (<category>/index.html) an FAQPage with one Question per listed
// question, each with the whole answer its own page's FAQPage has (the
// site is below all_limit); home, category and question pages a
// BreadcrumbList whose
// positions count from 1, whose last item is the page's canonical URL, and
// whose names are those of the visible breadcrumbs (nav.crumbs) when the
// page shows them.
// Redirect pages (aliases) are skipped.  The blocks are cut out with the
// HTML rule for <script> content (it ends at the first "</script"), so a
// title holding "</script>" that was not escaped makes the block fail to
// parse.  Prints one line per problem and a count; exits 1 on any.
'use strict';
const fs = require('fs');
const path = require('path');

const site = path.resolve(process.argv[2] || 'public');
const problems = [];
const answers = new Map();	/* question name -> its page's answer */
const listed = [];		/* [category page, its Questions] */
let pages = 0, blocks = 0;

function walk(dir, out) {
	for (const d of fs.readdirSync(dir, { withFileTypes: true })) {
		const p = path.join(dir, d.name);
		if (d.isDirectory())
			walk(p, out);
		else if (d.name.endsWith('.html'))
			out.push(p);
	}
	return out;
}

function decode(s) {
	return s.replace(/<[^>]*>/g, '').replace(/&lt;/g, '<').replace(/&gt;/g, '>')
	    .replace(/&quot;/g, '"').replace(/&#0*39;/g, "'").replace(/&amp;/g, '&').trim();
}

function check(file) {
	const rel = path.relative(site, file).split(path.sep).join('/');
	const html = fs.readFileSync(file, 'utf8');
	const bad = (msg) => problems.push(`${rel}: ${msg}`);
	if (/<meta http-equiv="refresh"/i.test(html))
		return;
	pages++;
	const parts = rel.split('/');
	const kind = rel === 'index.html' ? 'home' :
	    parts.length === 2 && parts[1] === 'index.html' ? 'category' :
	    parts.length === 2 ? 'question' : 'other';
	const data = [];
	const re = /<script type="application\/ld\+json">([\s\S]*?)<\/script/gi;
	let m;
	while ((m = re.exec(html)) !== null) {
		blocks++;
		try {
			data.push(JSON.parse(m[1]));
		} catch (e) {
			bad(`JSON-LD does not parse: ${e.message}`);
		}
	}
	if (kind === 'other')
		return;
	const canon = (html.match(/<link rel="canonical" href="([^"]*)"/) || [])[1];
	const byType = (t) => data.filter(d => d['@type'] === t);
	for (const d of data)
		if (d['@context'] !== 'https://schema.org')
			bad(`@context is ${d['@context']}`);

	const crumbs = byType('BreadcrumbList');
	if (crumbs.length !== 1)
		bad(`${crumbs.length} BreadcrumbList blocks, want 1`);
	else {
		const items = crumbs[0].itemListElement || [];
		const want = { home: 1, category: 2, question: 3 }[kind];
		if (items.length !== want)
			bad(`BreadcrumbList has ${items.length} items, want ${want}`);
		items.forEach((it, i) => {
			if (it['@type'] !== 'ListItem' || it.position !== i + 1 ||
			    typeof it.name !== 'string' || !it.name ||
			    !/^https?:\/\//.test(it.item))
				bad(`BreadcrumbList item ${i + 1} malformed: ${JSON.stringify(it)}`);
		});
		if (items.length && canon && decode(canon) !== items[items.length - 1].item)
			bad(`last breadcrumb ${items[items.length - 1].item} is not the canonical ${canon}`);
		const nav = html.match(/<nav class="crumbs"[^>]*>([\s\S]*?)<\/nav>/);
		if (nav) {
			const shown = nav[1].split(/<li>/).slice(1).map(decode);
			const named = items.map(it => it.name);
			if (JSON.stringify(shown) !== JSON.stringify(named))
				bad(`BreadcrumbList names ${JSON.stringify(named)} are not the visible breadcrumbs ${JSON.stringify(shown)}`);
		} else if (kind !== 'home')
			bad('no visible breadcrumbs');
	}

	const faq = byType('FAQPage');
	if (kind === 'home') {
		if (faq.length)
			bad('FAQPage on the home page');
		return;
	}
	const nq = kind === 'question' ? 1 :
	    (html.match(/<ol class="qcards">([\s\S]*?)<\/ol>/) || ['', ''])[1]
	    .split('<li>').length - 1;
	if (faq.length !== 1) {
		if (nq > 0)
			bad(`${faq.length} FAQPage blocks, want 1`);
		return;
	}
	const qs = faq[0].mainEntity || [];
	if (qs.length !== nq)
		bad(`FAQPage has ${qs.length} questions, the page lists ${nq}`);
	for (const q of qs)
		if (q['@type'] !== 'Question' || typeof q.name !== 'string' || !q.name ||
		    !q.acceptedAnswer || q.acceptedAnswer['@type'] !== 'Answer' ||
		    typeof q.acceptedAnswer.text !== 'string' || !q.acceptedAnswer.text.trim())
			bad(`malformed Question: ${JSON.stringify(q).slice(0, 200)}`);
	if (kind === 'question') {
		const h1 = decode((html.match(/<h1[^>]*>([\s\S]*?)<\/h1>/) || ['', ''])[1]);
		if (qs[0] && qs[0].name !== h1)
			bad(`Question name ${JSON.stringify(qs[0].name)} is not the <h1> ${JSON.stringify(h1)}`);
		if (qs[0] && qs[0].acceptedAnswer)
			answers.set(qs[0].name, qs[0].acceptedAnswer.text);
	} else
		listed.push([rel, qs]);
}

for (const f of walk(site, []))
	check(f);
for (const [rel, qs] of listed)
	for (const q of qs)
		if (q.acceptedAnswer && answers.get(q.name) !== q.acceptedAnswer.text)
			problems.push(`${rel}: the answer to ${JSON.stringify(q.name)} is not its page's whole answer`);
for (const p of problems)
	console.log(p);
console.log(`jsonld: ${pages} pages, ${blocks} blocks, ${problems.length} problems`);
process.exit(problems.length || pages === 0 ? 1 : 0);
