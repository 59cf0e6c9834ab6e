"""Product catalog: reads from the upstream inventory service and renders JSON."""

import csv
import io
import logging
import os
import tempfile
from functools import lru_cache

import requests
from flask import Flask, Response, jsonify, request

INVENTORY_URL = os.environ.get("INVENTORY_URL", "http://inventory.internal")

app = Flask(__name__)
logging.basicConfig(level=logging.INFO)
log = logging.getLogger("catalog")

# A per-instance cache: losing it costs a refetch, nothing more.
_price_cache: dict[str, float] = {}


@lru_cache(maxsize=256)
def category_names() -> tuple[str, ...]:
    response = requests.get(f"{INVENTORY_URL}/categories", timeout=5)
    response.raise_for_status()
    return tuple(item["name"] for item in response.json())


@app.get("/healthz")
def healthz():
    return {"ok": True}


@app.get("/products")
def products():
    category = request.args.get("category")
    response = requests.get(f"{INVENTORY_URL}/products", params={"category": category}, timeout=5)
    return jsonify(response.json())


@app.post("/prices/refresh")
def refresh_prices():
    for row in requests.get(f"{INVENTORY_URL}/prices", timeout=5).json():
        _price_cache[row["sku"]] = row["price"]
    return {"refreshed": len(_price_cache)}


@app.post("/export")
def export_csv():
    # Scratch file in /tmp, streamed back and gone with the request.
    with tempfile.NamedTemporaryFile("w+", suffix=".csv", dir="/tmp") as scratch:
        writer = csv.writer(scratch)
        for sku, price in sorted(_price_cache.items()):
            writer.writerow([sku, price])
        scratch.seek(0)
        body = scratch.read()
    return Response(body, mimetype="text/csv")


@app.get("/report.csv")
def report():
    buffer = io.StringIO()
    csv.writer(buffer).writerow(["sku", "price"])
    return Response(buffer.getvalue(), mimetype="text/csv")


@app.cli.command("dump-prices")
def dump_prices():
    """Run by hand: flask dump-prices > prices.csv."""
    with open("prices.csv", "w") as handle:
        for sku, price in _price_cache.items():
            handle.write(f"{sku},{price}\n")


if __name__ == "__main__":
    # Local development only: the container starts gunicorn.
    app.run(debug=True, port=5000)
