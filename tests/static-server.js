// static-server.js: a static file server for the browser tests, on 127.0.0.1.
// The site is served under the path of its base_url (from the home
// page's canonical link, e.g. /faq/), so 404.html's absolute links
// resolve as on the real host; a missing file gets 404.html with
// status 404.
'use strict';
const fs = require('fs');
const path = require('path');
const http = require('http');

const types = {
	'.html': 'text/html; charset=utf-8', '.css': 'text/css; charset=utf-8',
	'.js': 'text/javascript; charset=utf-8', '.json': 'application/json',
	'.xml': 'application/xml', '.txt': 'text/plain; charset=utf-8',
	'.svg': 'image/svg+xml', '.png': 'image/png', '.ico': 'image/x-icon',
};

function basePath(site) {
	const home = fs.readFileSync(path.join(site, 'index.html'), 'utf8');
	const m = home.match(/<link rel="canonical" href="([^"]+)"/);
	return m ? new URL(m[1]).pathname.replace(/\/?$/, '/') : '/';
}

// Resolves to { server, origin } with origin ending in the base path.
function serve(site, port) {
	site = path.resolve(site);
	const base = basePath(site);
	const server = http.createServer((req, res) => {
		const p = decodeURIComponent(new URL(req.url, 'http://x').pathname);
		let file = null;
		if (p.startsWith(base)) {
			file = path.join(site, p.slice(base.length));
			if (!file.startsWith(site))
				file = null;
			else if (fs.existsSync(file) && fs.statSync(file).isDirectory())
				file = path.join(file, 'index.html');
		}
		let status = 200;
		if (file == null || !fs.existsSync(file)) {
			status = 404;
			file = path.join(site, '404.html');
		}
		res.writeHead(status, {
			'Content-Type': types[path.extname(file)] || 'application/octet-stream',
			'Cache-Control': 'max-age=31536000',
		});
		fs.createReadStream(file).pipe(res);
	});
	return new Promise(ok => server.listen(port || 0, '127.0.0.1', () => ok({
		server, origin: `http://127.0.0.1:${server.address().port}${base}`,
	})));
}

module.exports = { serve, basePath };
