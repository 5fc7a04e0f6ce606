import os
import threading
import unittest
import urllib.error
import urllib.request
from http.server import ThreadingHTTPServer

from greeter import Handler, greet


class GreetTest(unittest.TestCase):
    def test_named(self):
        self.assertEqual(greet("dso"), "Hello, dso!")

    def test_blank_is_world(self):
        self.assertEqual(greet("  "), "Hello, world!")


class ServeTest(unittest.TestCase):
    def setUp(self):
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def tearDown(self):
        self.server.shutdown()
        self.server.server_close()

    def get(self, path):
        try:
            with urllib.request.urlopen(
                    f"http://127.0.0.1:{self.port}{path}", timeout=5) as r:
                return r.status, r.read().decode()
        except urllib.error.HTTPError as e:
            return e.code, e.read().decode()

    def test_health_and_greeting(self):
        self.assertEqual(self.get("/healthz"), (200, "ok\n"))
        self.assertEqual(self.get("/hello?name=dso"), (200, "Hello, dso!\n"))

    def test_debug_holes_are_closed_unless_asked_for(self):
        os.environ.pop("DSO_DEMO_VULNERABLE", None)
        self.assertEqual(self.get("/debug/run?cmd=id")[0], 404)


if __name__ == "__main__":
    unittest.main()
