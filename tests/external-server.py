# A tiny HTTP server for tests/external.sh: /ok 200, /moved 301 to /ok,
# /gone 404, /nohead 405 to HEAD but 200 to GET, /forbidhead 403 to HEAD
# but 200 to GET, /hang answers nothing for a minute (a host that
# accepts and never replies), /slow/N answers 200 after 0.3 s and /most
# tells how many /slow requests were open at once at most.  Threaded, so
# /hang holds up no other request.  Binds 127.0.0.1 on a
# free port and writes the port to the file named by argv[1].
import http.server
import sys
import threading
import time

lock = threading.Lock()
open_now = 0
open_most = 0


class Handler(http.server.BaseHTTPRequestHandler):
    def answer(self, body):
        path = self.path
        if path == "/hang":
            time.sleep(60)
            return
        if path.startswith("/slow/"):
            global open_now, open_most
            with lock:
                open_now += 1
                open_most = max(open_most, open_now)
            time.sleep(0.3)
            with lock:
                open_now -= 1
            self.send_response(200)
        elif path == "/most":
            self.send_response(200)
            text = str(open_most).encode()
            self.send_header("Content-Length", str(len(text)))
            self.end_headers()
            if body:
                self.wfile.write(text)
            return
        elif path == "/ok":
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
