"""Developer tool: forwards localhost:9000 to the API running in Docker."""

from http.server import HTTPServer, SimpleHTTPRequestHandler

HTTPServer(("127.0.0.1", 9000), SimpleHTTPRequestHandler).serve_forever()
