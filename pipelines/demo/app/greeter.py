"""The demo application the reference pipeline builds, scans and ships.

`python3 greeter.py NAME` prints a greeting; `python3 greeter.py serve`
answers HTTP on $PORT (default 8080):
  GET /healthz          200 "ok" (503 while a file BROKEN sits beside this
                        script: the pipeline's "bad release")
  GET /hello?name=NAME  the greeting
With DSO_DEMO_VULNERABLE=1 it also has the two holes the demo's attacker
uses, to show runtime self-protection stopping them:
  GET /debug/run?cmd=CMD      runs CMD in a shell (remote code execution)
  GET /debug/fetch?port=PORT  connects to 127.0.0.1:PORT (request forgery)
"""
import os
import socket
import subprocess
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlparse


def greet(name: str) -> str:
    name = name.strip() or "world"
    return f"Hello, {name}!"


class Handler(BaseHTTPRequestHandler):
    def answer(self, status: int, text: str) -> None:
        body = (text + "\n").encode()
        self.send_response(status)
        self.send_header("Content-Type", "text/plain; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self) -> None:  # noqa: N802 (http.server's name)
        url = urlparse(self.path)
        query = {k: v[0] for k, v in parse_qs(url.query).items()}
        if url.path == "/healthz":
            broken = (Path(__file__).parent / "BROKEN").exists()
            self.answer(503 if broken else 200, "broken" if broken else "ok")
        elif url.path == "/hello":
            self.answer(200, greet(query.get("name", "")))
        elif os.environ.get("DSO_DEMO_VULNERABLE") == "1" and \
                url.path == "/debug/run":
            try:
                out = subprocess.run(query.get("cmd", "true"), shell=True,
                                     capture_output=True, text=True,
                                     timeout=10)
                self.answer(200, f"exit {out.returncode}\n{out.stdout}")
            except OSError as e:
                self.answer(403, f"refused: {e}")
        elif os.environ.get("DSO_DEMO_VULNERABLE") == "1" and \
                url.path == "/debug/fetch":
            try:
                with socket.create_connection(
                        ("127.0.0.1", int(query.get("port", "22"))), 5):
                    self.answer(200, "connected")
            except ConnectionRefusedError:
                self.answer(200, "reached it; nothing listens there")
            except OSError as e:
                self.answer(403, f"refused: {e}")
        else:
            self.answer(404, "not found")

    def log_message(self, fmt, *args) -> None:
        sys.stderr.write("greeter: " + fmt % args + "\n")


def serve() -> None:
    port = int(os.environ.get("PORT", "8080"))
    server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
    print(f"greeter: serving on 127.0.0.1:{port}", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    if sys.argv[1:] == ["serve"]:
        serve()
    else:
        print(greet(" ".join(sys.argv[1:])))
