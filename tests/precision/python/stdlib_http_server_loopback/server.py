import logging
import os
from http.server import ThreadingHTTPServer

from handlers import EchoHandler

PORT = int(os.environ.get("PORT", "80"))
HOST = "localhost"


def main():
    logging.basicConfig(level=logging.INFO)
    httpd = ThreadingHTTPServer((HOST, PORT), EchoHandler)
    logging.info("listening on %s:%d", HOST, PORT)
    httpd.serve_forever()


if __name__ == "__main__":
    main()
