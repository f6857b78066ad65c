# A tiny HTTP server for tests/external.sh: /ok 200, /moved 301 to /ok,
# /gone 404, /nohead 405 to HEAD but 200 to GET, /forbidhead 403 to HEAD
# but 200 to GET, /hang answers nothing for a minute (a host that
# accepts and never replies).  Threaded, so /hang holds up no other
# request.  Binds 127.0.0.1 on a
# free port and writes the port to the file named by argv[1].
import http.server
import sys
import time


class Handler(http.server.BaseHTTPRequestHandler):
    def answer(self, body):
        path = self.path
        if path == "/hang":
            time.sleep(60)
            return
        if path == "/ok":
            self.send_response(200)
        elif path == "/moved":
            self.send_response(301)
            self.send_header("Location", "/ok")
        elif path == "/nohead":
            self.send_response(405 if self.command == "HEAD" else 200)
        elif path == "/forbidhead":
            self.send_response(403 if self.command == "HEAD" else 200)
        else:
            self.send_response(404)
        self.send_header("Content-Length", "2")
        self.end_headers()
        if body:
            self.wfile.write(b"ok")

    def do_HEAD(self):
        self.answer(False)

    def do_GET(self):
        self.answer(True)

    def log_message(self, fmt, *args):
        sys.stderr.write("%s %s\n" % (self.command, self.path))


server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
server.daemon_threads = True
with open(sys.argv[1], "w") as f:
    f.write(str(server.server_address[1]))
server.serve_forever()
