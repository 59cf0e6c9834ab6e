import json
import logging
from http.server import BaseHTTPRequestHandler

log = logging.getLogger("echo")


class EchoHandler(BaseHTTPRequestHandler):
    server_version = "webhook-echo/1.0"

    def do_GET(self):
        self._reply(200, {"ok": True})

    def do_POST(self):
        length = int(self.headers.get("Content-Length", "0"))
        body = self.rfile.read(length)
        log.info("webhook from %s: %d bytes", self.client_address[0], len(body))
        with open("/dev/stdout", "a") as stream:  # container logs
            stream.write(body.decode("utf-8", "replace") + "\n")
        self._reply(200, {"received": len(body)})

    def _reply(self, status, payload):
        data = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)
