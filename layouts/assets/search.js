/*
 * search.js: faqgen's search, run in the reader's browser.  No framework
 * and no request outside the site.
 *
 * The index (written by generator/index.c) lives in search/ beside the
 * pages: manifest.js (document count, shard count, synonyms), s/N.js
 * (postings of the tokens whose shard is N), d/K.js (title, URL, category,
 * headings and text of the manifest's "dc" questions from K * dc on,
 * loaded only for the results shown) and cats.js (categories, for a
 * search that finds nothing).  Each is there twice: as .json, which a
 * page served over http(s) fetches, and as .js, which calls
 * faqgenSearch(kind, id, data) and which a page opened from disk
 * (file://, where fetch() is blocked) loads with a <script> tag.
 *
 * Ranking: BM25F.  The index stores, per token and question, the
 * field-weighted and length-normalised term frequency; here it is summed
 * over the query's tokens with their IDF.  Tokens are Chinese bigrams
 * (weight 1), single characters (low weight: they keep a query from coming
 * back empty when no bigram matches; on a large site only those beside a
 * bigram the index lacks, see Engine.prototype.search), trigrams (a bonus:
 * two query bigrams adjacent in the page) and Latin words and codes.
 * Synonyms from the editor's list add their tokens at a lower weight.  No
 * token is required: a question ranks by how much of the query it matches.
 */
(function (global) {
'use strict';

function fold(c) {
	if (c >= 0xff01 && c <= 0xff5e) c -= 0xfee0;
	else if (c == 0x3000) return 32;
	if ((c >= 65 && c <= 90) || (c >= 0xc0 && c <= 0xde && c != 0xd7)) return c + 32;
	return c;
}
function cls(c) {	/* 0 other, 1 word, 2 CJK */
	if ((c >= 97 && c <= 122) || (c >= 48 && c <= 57)) return 1;
	if (c < 0xc0) return 0;
	if (c <= 0x24f) return c == 0xd7 || c == 0xf7 ? 0 : 1;
	return (c >= 0x3040 && c <= 0x30ff) || c == 0x3007 ||
	    (c >= 0x3400 && c <= 0x4dbf) || (c >= 0x4e00 && c <= 0x9fff) ||
	    (c >= 0xac00 && c <= 0xd7af) || (c >= 0xf900 && c <= 0xfaff) ||
	    (c >= 0x20000 && c <= 0x2ffff) ? 2 : 0;
}
/* Calls fn(token, kind) with kind 0 word, 1 char, 2 bigram, 3 trigram. */
function tokenize(s, fn) {
	var cps = [], i, c, n, nx, prev = 0, w = '', wn = 0, sign = 0, run = [];
	for (var ch of s) cps.push(fold(ch.codePointAt(0)));
	function wflush() {
		var j, k, part;
		if (!w) return;
		w = w.replace(/[-._]+$/, '');
		if (w.length > sign) fn(w, 0);
		if (/[-._]/.test(w.slice(sign))) {
			part = w.slice(sign).split(/[-._]/);
			for (k = 0; k < part.length; k++) if (part[k]) fn(part[k], 0);
		}
		w = ''; wn = sign = 0;
	}
	function wadd(c) {
		if (wn < 32) { w += String.fromCodePoint(c); wn++; }
	}
	function rfirst() {
		fn(run[0], 1);
		if (run.length > 1) fn(run[0] + run[1], 2);
		if (run.length > 2) fn(run[0] + run[1] + run[2], 3);
		run.shift();
	}
	for (i = 0, n = cps.length; i < n; i++) {
		c = cps[i]; nx = i + 1 < n ? cps[i + 1] : -1;
		var k = cls(c);
		if (k == 2) {
			wflush();
			run.push(String.fromCodePoint(c));
			if (run.length == 3) rfirst();
		} else {
			while (run.length) rfirst();
			if (k == 1) wadd(c);
			else if ((c == 45 || c == 46 || c == 95) && w && nx >= 0 && cls(nx) == 1) wadd(c);
			else if (c == 45 && !w && prev != 1 && nx >= 48 && nx <= 57) { sign = 1; wadd(c); }
			else wflush();
		}
		prev = k;
	}
	wflush();
	while (run.length) rfirst();
}

/* FNV-1a over the token's UTF-8 bytes: the shard, as tokenize_hash(). */
function hash(s) {
	var h = 0x811c9dc5, i, c, b = [];
	for (var ch of s) {
		c = ch.codePointAt(0);
		if (c < 0x80) b.push(c);
		else if (c < 0x800) b.push(0xc0 | c >> 6, 0x80 | c & 63);
		else if (c < 0x10000) b.push(0xe0 | c >> 12, 0x80 | c >> 6 & 63, 0x80 | c & 63);
		else b.push(0xf0 | c >> 18, 0x80 | c >> 12 & 63, 0x80 | c >> 6 & 63, 0x80 | c & 63);
	}
	for (i = 0; i < b.length; i++) h = Math.imul(h ^ b[i], 0x1000193) >>> 0;
	return h >>> 0;
}
/* The shard of a query term {t, k}, as index.c places it. */
function shard(t, n) {
	return hash(t.t) % n;
}

/*
 * Characters of question words and particles (吗 了 怎么 什么 如何 可以 ...):
 * a query token made only of them says little about the answer.
 */
var STOP = '的了吗呢吧啊呀嘛么什怎样如何哪些里儿是否在我你他要会能可以和与及或有没还又都就请问一下个这那该应得着过到把被让给多少几';
var W = [1, 0.2, 1, 0.6];	/* word, char, bigram, trigram */
var K1 = 1.2;
var COVER = 0.5;	/* how much the share of the query matched counts */
var LARGE = 5000;	/* questions: above, characters wait for the bigrams */

function stopish(t) {
	for (var ch of t) if (STOP.indexOf(ch) < 0) return false;
	return true;
}

/* Lower-case and fold full-width forms, keeping every UTF-16 offset. */
function norm(s) {
	return s.replace(/[\uff01-\uff5e]/g, function (c) {
		return String.fromCharCode(c.charCodeAt(0) - 0xfee0);
	}).replace(/[A-Z\u00c0-\u00de]/g, function (c) {
		return c == '\u00d7' ? c : String.fromCharCode(c.charCodeAt(0) + 32);
	}).replace(/\u3000/g, ' ');
}

/*
 * The query's tokens: [{t: token, k: kind, w: weight}], the words of the
 * query first, then those of matching synonym groups.
 */
function terms(q, syn) {
	var out = [], seen = {}, i, j, g, nq = norm(q);
	function add(t, k, w) {
		/* Particles and question words are not worth a request. */
		if (stopish(t)) return;
		if (seen[t] === undefined) { seen[t] = out.length; out.push({t: t, k: k, w: w}); }
		else if (out[seen[t]].w < w) out[seen[t]].w = w;
	}
	tokenize(q, function (t, k) { add(t, k, W[k]); });
	for (i = 0; syn && i < syn.length; i++) {
		g = syn[i];
		for (j = 0; j < g.length && nq.indexOf(norm(g[j])) < 0; j++);
		if (j == g.length) continue;
		for (j = 0; j < g.length; j++)
			tokenize(g[j], function (t, k) { if (k == 0 || k == 2) add(t, k, 0.7 * W[k]); });
	}
	return out;
}

/*
 * A search over one index.  load(path) returns a promise of the parsed
 * file: "manifest", "s/N" or "d/K".
 */
function Engine(load) {
	this.load = load;
	this.files = {};	/* path -> promise */
	this.data = {};		/* path -> parsed file, once loaded */
}
Engine.prototype.get = function (path) {
	var f = this.files, data = this.data;
	if (!f[path])
		f[path] = this.load(path).then(function (d) {
			return (data[path] = d);
		}, function (e) {
			delete f[path];
			throw e;
		});
	return f[path];
};
Engine.prototype.manifest = function () { return this.get('manifest'); };
/* Question id as results show it: from the result file of its chunk. */
Engine.prototype.doc = function (id) {
	var self = this;
	return this.manifest().then(function (m) {
		var dc = m.dc || 1;
		return self.get('d/' + Math.floor(id / dc)).then(function (a) { return a[id % dc]; });
	});
};

/*
 * Resolves to {terms, hits: [{id, score}]}, best first.
 *
 * On a site of more than LARGE questions, the shards of the words, bigrams
 * and trigrams come first, and a single character's shard only after them,
 * when a bigram of the query holding that character is not in the index
 * (a typo, a word the site writes otherwise, a one-character query): a
 * character whose every bigram in the query is there does not count (the
 * bigrams synonyms add are not asked).  There nearly every bigram is in
 * the index, and a common character's list is cut to the POSTINGS_MAX
 * best of tens of thousands of questions: it adds bytes (a quarter of a
 * query's at 100,000 questions) and little else.  Which characters count
 * depends on the index alone, never on which shards happened to be loaded
 * with others.  A smaller site loads every shard at once and counts every
 * character: its lists are short and whole.
 */
Engine.prototype.search = function (q) {
	var self = this;
	function want(list) {
		var need = {};
		list.forEach(function (t) { need[t.s] = 1; });
		return Promise.all(Object.keys(need).map(function (s) {
			return self.get('s/' + s);
		}));
	}
	return this.manifest().then(function (m) {
		var ts = terms(q, m.syn), i;
		for (i = 0; i < ts.length; i++)
			ts[i].s = shard(ts[i], m.shards);
		if (!(m.n > LARGE))
			return want(ts).then(function () { return self.rank(m, ts); });
		return want(ts.filter(function (t) { return t.k != 1; })).then(function () {
			var held = {}, missing = {}, chars;
			ts.forEach(function (t) {
				if (t.k != 2 || t.w < W[2]) return;
				var there = (self.data['s/' + t.s] || {})[t.t] !== undefined;
				for (var ch of t.t) (there ? held : missing)[ch] = 1;
			});
			ts = ts.filter(function (t) { return t.k != 1 || !held[t.t] || missing[t.t]; });
			chars = ts.filter(function (t) { return t.k == 1; });
			return chars.length ? want(chars) : null;
		}).then(function () {
			return self.rank(m, ts);
		});
	});
};
/* A posting list as numbers: df, then question gap and q pairs (index.c). */
var DIGIT = {};
'0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz-_'.split('').forEach(function (c, i) { DIGIT[c] = i; });
function decode(s) {
	var out = [], v = 0, i, d;
	for (i = 0; i < s.length; i++) {
		d = DIGIT[s[i]];
		v = v * 32 + (d & 31);
		if (d < 32) { out.push(v); v = 0; }
	}
	return out;
}

Engine.prototype.rank = function (m, ts) {
	var score = {}, cover = {}, total = 0, i, j, t, p, d, q, idf, c, hits = [], top;
	for (i = 0; i < ts.length; i++) {
		t = ts[i];
		p = (this.data['s/' + t.s] || {})[t.t];
		if (typeof p == 'string') p = this.data['s/' + t.s][t.t] = decode(p);
		if (t.k != 1 && t.k != 3) total += t.w;
		if (!p) continue;
		idf = Math.log(1 + (m.n - p[0] + 0.5) / (p[0] + 0.5));
		for (j = 1, d = 0; j < p.length; j += 2) {
			d += p[j];
			q = p[j + 1] / m.qs;
			score[d] = (score[d] || 0) + t.w * idf * q * (K1 + 1) / (q + K1);
			if (t.k != 1 && t.k != 3) cover[d] = (cover[d] || 0) + t.w;
		}
	}
	for (d in score) {
		c = total ? (cover[d] || 0) / total : 1;
		hits.push({id: +d, score: score[d] * (1 - COVER + COVER * Math.min(c, 1))});
	}
	hits.sort(function (a, b) { return b.score - a.score || a.id - b.id; });
	top = hits.length ? hits[0].score : 0;
	hits = hits.filter(function (h) { return h.score >= top * 0.05; });
	return {terms: ts, hits: hits};
};

/*
 * The passage of doc text best covering the query, with the matched terms
 * in <mark>, and the id of the heading it falls under (or "").
 */
function esc(s) {
	return s.replace(/[&<>"]/g, function (c) {
		return {'&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;'}[c];
	});
}
function snippet(doc, ts, len) {
	var x = doc.x || '', nx = norm(x), occ = [], i, j, p, t, best = -1, bs = 0, a, b, s, seen, out, at, h = '';
	len = len || 80;
	/* Bigrams and words; single characters only when nothing else is found. */
	for (a = 0; a < 2 && !occ.length; a++)
		for (i = 0; i < ts.length; i++) {
			t = ts[i];
			if (t.w < 0.1 || (t.k == 1) == !a) continue;
			for (p = nx.indexOf(t.t), j = 0; p >= 0 && j < 40; p = nx.indexOf(t.t, p + 1), j++)
				occ.push({p: p, e: p + t.t.length, i: i, w: t.w * t.t.length});
		}
	occ.sort(function (u, v) { return u.p - v.p || v.e - u.e; });
	for (i = 0; i < occ.length; i++) {
		seen = {}; s = 0;
		for (j = i; j < occ.length && occ[j].e <= occ[i].p + len; j++)
			if (!seen[occ[j].i]) { seen[occ[j].i] = 1; s += occ[j].w; }
		if (s > bs) { bs = s; best = i; }
	}
	a = best < 0 ? 0 : Math.max(0, occ[best].p - 12);
	b = Math.min(x.length, a + len);
	out = a > 0 ? '…' : '';
	for (at = a, i = 0; i < occ.length; i++) {
		p = occ[i];
		if (p.p < at || p.p >= b) continue;
		out += esc(x.slice(at, p.p)) + '<mark>' + esc(x.slice(p.p, Math.min(p.e, b))) + '</mark>';
		at = Math.min(p.e, b);
	}
	out += esc(x.slice(at, b)) + (b < x.length ? '…' : '');
	if (best >= 0)
		for (i = 0; doc.h && i < doc.h.length && doc.h[i][0] <= occ[best].p; i++) h = doc.h[i][1];
	return {html: out, anchor: h};
}

/* ------------------------------------------------------------ the page */

var LOADERS = {};	/* "kind/id" -> resolve, for the .js files */

/* What every index .js file calls. */
function register(kind, id, data) {
	var key = kind == 'm' ? 'manifest' : kind == 'c' ? 'cats' : kind + '/' + id;
	if (LOADERS[key]) { LOADERS[key](data); delete LOADERS[key]; }
}

/*
 * The file of index file path: a shard or result chunk "s/K" or "d/K"
 * lies in folder K / 64 of its kind, "s/(K/64)/K" (index_name() in
 * generator/index.h); the others at the top.
 */
var FOLDER = 64;
function fileOf(path) {
	var m = /^([sd])\/(\d+)$/.exec(path);
	return m ? m[1] + '/' + Math.floor(m[2] / FOLDER) + '/' + m[2] : path;
}

/* The .js form of the index file at base + path, by a <script> tag. */
function scriptLoader(base) {
	return function (path) {
		return new Promise(function (res, rej) {
			var s = document.createElement('script');
			LOADERS[path] = res;
			s.src = base + fileOf(path) + '.js';
			s.onerror = function () {
				delete LOADERS[path];
				s.remove();
				rej(new Error(path));
			};
			/* Run by now: a file that did not call faqgenSearch() fails. */
			s.onload = function () {
				s.remove();
				if (LOADERS[path] === res) {
					delete LOADERS[path];
					rej(new Error(path));
				}
			};
			document.head.appendChild(s);
		});
	};
}

/*
 * The index files under base: over http(s) their .json form by fetch();
 * from disk, or when that fails (a host that will not serve .json), the
 * .js form.
 */
function loader(base) {
	var script = scriptLoader(base);

	if (!/^https?:$/.test(location.protocol) || typeof fetch != 'function')
		return script;
	return function (path) {
		return fetch(base + fileOf(path) + '.json').then(function (r) {
			if (!r.ok) throw new Error(path);
			return r.json();
		}).catch(function () {
			return script(path);
		});
	};
}

var engine, uid = 0;

/*
 * One search form: the header box (a combobox with a drop-down listbox)
 * or the search page's (results below, ?q= kept in the URL).
 */
function Box(form) {
	var self = this, root = form.getAttribute('data-root') || '';
	this.form = form;
	this.root = root;
	this.page = form.hasAttribute('data-page');
	this.input = form.querySelector('input');
	this.list = form.querySelector('[role=listbox]');
	this.status = form.querySelector('[role=status]');
	this.pop = form.querySelector('.search-pop') || this.list;
	this.none = document.createElement('div');
	this.none.className = 'search-empty';
	this.list.parentNode.insertBefore(this.none, this.list.nextSibling);
	this.noneHtml = '';
	this.none.addEventListener('click', function (e) {
		if (e.target.className != 'search-more') return;
		/* The button goes with the re-render: focus the first new result. */
		self.focusAt = self.max;
		self.max += 10;
		self.run();
	});
	this.max = this.page ? 10 : 8;
	this.active = -1;
	this.seq = 0;
	this.busy = 0;
	this.composing = 0;
	this.lastKey = -Infinity;
	this.timer = 0;
	if (!engine) engine = new Engine(loader(root + 'search/'));
	this.list.id = this.list.id || 'search-list:' + (++uid);
	this.input.setAttribute('aria-controls', this.list.id);
	this.input.addEventListener('input', function () { if (!self.composing) self.typed(); });
	this.input.addEventListener('compositionstart', function () { self.composing = 1; });
	this.input.addEventListener('compositionend', function () { self.composing = 0; self.run(); });
	this.input.addEventListener('focus', function () {
		engine.manifest().catch(function () {});
		if (self.input.value.trim()) self.open(true);
	});
	this.input.addEventListener('keydown', function (e) { self.key(e); });
	form.addEventListener('focusout', function (e) {
		if (!self.page && !form.contains(e.relatedTarget)) self.open(false);
	});
	form.addEventListener('submit', function (e) {
		var a = self.option(self.active);
		if (a) { e.preventDefault(); location.href = a.href; }
		else if (self.page) { e.preventDefault(); self.run(); }
	});
	if (this.page) {
		var q = new URLSearchParams(location.search).get('q');
		if (q) this.input.value = q;
		this.run();
	}
}
Box.prototype.option = function (i) {
	return i >= 0 ? this.list.querySelectorAll('[role=option]')[i] : null;
};
Box.prototype.open = function (on) {
	if (this.page) on = true;
	this.pop.hidden = !on;
	this.list.hidden = false;
	this.input.setAttribute('aria-expanded', on ? 'true' : 'false');
	if (!on) this.move(-1);
};
Box.prototype.move = function (i) {
	var o = this.option(this.active);
	if (o) o.setAttribute('aria-selected', 'false');
	this.active = i;
	o = this.option(i);
	if (o) {
		o.setAttribute('aria-selected', 'true');
		this.input.setAttribute('aria-activedescendant', o.id);
		o.scrollIntoView({block: 'nearest'});
	} else
		this.input.removeAttribute('aria-activedescendant');
};
Box.prototype.key = function (e) {
	var n = this.list.querySelectorAll('[role=option]').length;
	if (e.key == 'ArrowDown' || e.key == 'ArrowUp') {
		if (!n) return;
		e.preventDefault();
		this.open(true);
		this.move(e.key == 'ArrowDown' ? (this.active + 1) % n :
		    (this.active < 0 ? n : this.active) - 1);
	} else if (e.key == 'Escape') {
		if (!this.pop.hidden && !this.page) this.open(false);
		else this.input.value = '', this.run();
		e.preventDefault();
	}
};
/*
 * Results as you type, debounced: the first keystroke of a burst (after a
 * pause of DEBOUNCE ms, or into an empty box) searches at once; the next
 * ones of the burst wait until typing pauses for DEBOUNCE ms, then search
 * once.
 */
var DEBOUNCE = 100;
Box.prototype.typed = function () {
	var self = this, now = performance.now(), burst = now - this.lastKey < DEBOUNCE;
	clearTimeout(this.timer);
	this.lastKey = this.input.value.trim() ? now : -Infinity;
	if (burst && this.lastKey > 0)
		this.timer = setTimeout(function () { self.run(); }, DEBOUNCE);
	else
		this.run();
};
/* Search for the box's text; a search started while one runs waits for it. */
Box.prototype.run = function () {
	var self = this, q = this.input.value.trim(), seq = ++this.seq, t0 = performance.now();
	if (this.page)
		history.replaceState(null, '', q ? '?q=' + encodeURIComponent(q) : location.pathname);
	if (q != this.last) this.max = this.page ? 10 : 8;
	this.last = q;
	if (this.busy) { this.again = 1; return; }
	if (!q) { this.show(q, null, [], t0); return; }
	this.busy = 1;
	engine.search(q).then(function (r) {
		var shown = r.hits.slice(0, self.max);
		return Promise.all(shown.map(function (h) { return engine.doc(h.id); })).then(function (docs) {
			if (seq == self.seq) self.show(q, r, docs, t0);
		});
	}).catch(function () {
		self.status.textContent = '搜索索引加载失败';
	}).then(function () {
		self.busy = 0;
		if (self.again) { self.again = 0; self.run(); }
	});
};
Box.prototype.show = function (q, r, docs, t0) {
	var self = this, html = '', i, d, sn, n = r ? r.hits.length : 0, href;
	for (i = 0; i < docs.length; i++) {
		d = docs[i];
		sn = snippet(d, r.terms);
		href = this.root + d.u + (sn.anchor ? '#' + sn.anchor : '');
		html += '<li role="none"><a role="option" id="' + this.list.id + ':' + i + '" aria-selected="false"' +
		    ' href="' + esc(href) + '" tabindex="-1"><span class="search-title">' + esc(d.t) +
		    '</span> <span class="search-cat">' + esc(d.c) + '</span><span class="search-snip">' +
		    sn.html + '</span></a></li>';
	}
	this.active = -1;
	this.input.removeAttribute('aria-activedescendant');
	this.list.innerHTML = html;
	if (this.focusAt != null) {
		if (this.option(this.focusAt)) this.option(this.focusAt).focus();
		this.focusAt = null;
	}
	/* Nothing found: empty() puts the categories there (kept if shown). */
	if (n || !(q || this.page))
		this.setNone(this.page && n > docs.length ?
		    '<button type="button" class="search-more">显示更多结果</button>' : '');
	else if (this.none.className.indexOf('has-cats') < 0)
		this.setNone('');
	this.status.textContent = !q ? '' : n ? '找到 ' + n + ' 个相关问题' : '没有找到相关问题';
	if (!n && (q || this.page))
		engine.get('cats').then(function (c) { self.empty(c, q); }).catch(function () {});
	this.open(!!q && this.form.contains(document.activeElement) || this.page);
	this.form.dispatchEvent(new CustomEvent('searchresults', {detail: {
		query: q, count: n, ms: performance.now() - t0}}));
};
/* No result: offer the categories and the full list. */
Box.prototype.empty = function (cats, q) {
	var html = '<p>' + (q ? '换个说法试试，或按分类浏览：' : '按分类浏览：') + '</p><ul>', i;
	if (q != this.input.value.trim()) return;
	for (i = 0; i < cats.length; i++)
		html += '<li><a href="' + esc(this.root + cats[i][1]) + '">' + esc(cats[i][0]) + '</a></li>';
	/* all.html only where the site is small enough to have it. */
	if (this.form.hasAttribute('data-all'))
		html += '<li><a href="' + esc(this.root) + 'all.html">全部问题</a></li>';
	this.setNone(html + '</ul>', 1);
};
/*
 * What shows under the list: rewritten only when it changes, so that
 * focus in a category link survives a search that finds nothing again.
 */
Box.prototype.setNone = function (html, cats) {
	if (html != this.noneHtml) this.none.innerHTML = this.noneHtml = html;
	this.none.className = 'search-empty' + (cats ? ' has-cats' : '');
};

if (typeof module == 'object' && module.exports)
	module.exports = {tokenize: tokenize, hash: hash, shard: shard, terms: terms, norm: norm, W: W, decode: decode,
	    Engine: Engine, snippet: snippet, fileOf: fileOf};
if (typeof document == 'object' && !global.faqgenSearch) {
	global.faqgenSearch = register;
	var forms = document.querySelectorAll('form[data-search]'), i, page = 0;
	for (i = 0; i < forms.length; i++) if (forms[i].hasAttribute('data-page')) page = 1;
	for (i = 0; i < forms.length; i++) {
		/* The search page has its own box: hide the header's there. */
		if (page && !forms[i].hasAttribute('data-page')) forms[i].hidden = true;
		else new Box(forms[i]);
	}
}
})(this);
