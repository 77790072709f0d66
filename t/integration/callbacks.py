"""A callback server for the HTTP callback tests (issue #7), over HTTP or, with
a certificate, HTTPS. It records every POST (the JSON body, plus _path, _host
and _content_type) and answers as an operator's token check would: /auth
accepts only param ?token=good (and never answers for stream 'slow', until
the test ends), /deny refuses, anything else accepts; or, given answer(event)
-> bytes, answers what it says (a forward backend's URLs)."""
import json
import ssl
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from harness import free_port


class CallbackServer:
    def __init__(self, test, cert=None, key=None, answer=None):
        self.events = []
        self.lock = threading.Lock()
        self.release = threading.Event()
        self.scheme = "https" if cert else "http"
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                try:
                    event = json.loads(body)
                except ValueError:
                    event = {"unparsed": body.decode(errors="replace")}
                event["_path"] = self.path
                event["_host"] = self.headers.get("Host")
                event["_content_type"] = self.headers.get("Content-Type")
                with outer.lock:
                    outer.events.append(event)
                if answer is not None:
                    return self.reply(answer(event))
                if self.path.startswith("/auth") and event.get("stream") == "slow":
                    outer.release.wait(20)  # never answers within the timeout
                    return
                ok = not self.path.startswith("/auth") or event.get("param") == "?token=good"
                ok = ok and not self.path.startswith("/deny")
                self.reply(b"0" if ok else b'{"code":403,"msg":"denied"}')

            def reply(self, body):
                try:
                    self.send_response(200)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    self.wfile.write(body)
                except OSError:
                    pass  # the server cancelled the call (its client left, or it stopped)

        class QuietServer(ThreadingHTTPServer):
            def handle_error(self, request, client_address):
                pass  # a TLS handshake the server under test refuses is the point of some tests

        self.port = free_port()
        self.httpd = QuietServer(("127.0.0.1", self.port), Handler)
        self.httpd.daemon_threads = True
        if cert:
            context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            context.load_cert_chain(cert, key)
            # The handshake happens in the request's thread (first read), not in
            # accept(): a failed or stalled handshake never blocks the server.
            self.httpd.socket = context.wrap_socket(self.httpd.socket, server_side=True,
                                                    do_handshake_on_connect=False)
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()
        test.addCleanup(self.stop)

    def stop(self):
        self.release.set()
        self.httpd.shutdown()
        self.httpd.server_close()

    def url(self, path, host="127.0.0.1"):
        return f"{self.scheme}://{host}:{self.port}{path}"

    def of(self, action, **fields):
        with self.lock:
            return [e for e in self.events if e.get("action") == action and
                    all(e.get(k) == v for k, v in fields.items())]
