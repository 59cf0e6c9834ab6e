"""Exchange rates: refreshed every 10 minutes by a scheduler inside the web process."""

import logging
import os
import queue
import threading

import click
import requests
from apscheduler.schedulers.background import BackgroundScheduler
from flask import Flask, jsonify

log = logging.getLogger("rates")
SOURCE = os.environ.get("RATES_SOURCE", "https://open.er-api.com/v6/latest/CNY")
rates_by_currency: dict[str, float] = {}
audit_events: "queue.Queue[str]" = queue.Queue()


def refresh_rates() -> None:
    payload = requests.get(SOURCE, timeout=10).json()
    rates_by_currency.update(payload["rates"])
    audit_events.put("refreshed")


def drain_audit_log() -> None:
    while True:
        event = audit_events.get()
        requests.post(os.environ["AUDIT_URL"], json={"event": event}, timeout=5)


def create_app() -> Flask:
    app = Flask(__name__)

    scheduler = BackgroundScheduler(timezone="Asia/Shanghai")
    scheduler.add_job(refresh_rates, "interval", minutes=10)
    scheduler.start()

    threading.Thread(target=drain_audit_log, name="audit", daemon=True).start()

    @app.get("/rates/<currency>")
    def rate(currency: str):
        return jsonify({"currency": currency, "rate": rates_by_currency.get(currency.upper())})

    @app.post("/rates/refresh")
    def refresh_now():
        # Inside the request: waited for before answering.
        worker = threading.Thread(target=refresh_rates)
        worker.start()
        worker.join(timeout=15)
        return {"ok": True}

    @app.cli.command("backfill")
    @click.argument("days", type=int)
    def backfill(days: int):
        """flask backfill 30: run by hand, with its own scheduler while it runs."""
        local = BackgroundScheduler()
        local.add_job(refresh_rates, "interval", seconds=1)
        local.start()

    return app
