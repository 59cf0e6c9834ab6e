import json
import logging
import os
import threading
import time
from http.server import BaseHTTPRequestHandler, HTTPServer

import schedule

import jobs

logging.basicConfig(level=logging.INFO)


class Health(BaseHTTPRequestHandler):
    def do_GET(self):
        body = json.dumps({"next_run": str(schedule.next_run())}).encode()
        self.send_response(200)
        self.end_headers()
        self.wfile.write(body)

    def do_POST(self):
        # Triggered by a scheduled call from outside: runs inside the request.
        jobs.send_daily_report()
        self.send_response(204)
        self.end_headers()


def run_pending_forever() -> None:
    while True:
        schedule.run_pending()
        time.sleep(30)


schedule.every().day.at("08:00").do(jobs.send_daily_report)
schedule.every(6).hours.do(jobs.cleanup_exports)
threading.Thread(target=run_pending_forever, daemon=True).start()

if os.environ.get("DEBUG_HEARTBEAT"):
    threading.Timer(60, lambda: logging.info("still alive")).start()

HTTPServer(("0.0.0.0", int(os.environ.get("PORT", "80"))), Health).serve_forever()
