import threading
from http.server import HTTPServer, BaseHTTPRequestHandler

from app import app


class FakeInventory(BaseHTTPRequestHandler):
    def do_GET(self):
        self.send_response(200)
        self.end_headers()
        self.wfile.write(b"[]")


def check_healthz():
    server = HTTPServer(("127.0.0.1", 8765), FakeInventory)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    client = app.test_client()
    assert client.get("/healthz").json == {"ok": True}
    server.shutdown()
