import os

import httpx
from quart import Quart, jsonify

app = Quart(__name__)
FEED_URL = os.environ.get("FEED_URL", "https://example.com/feed.json")


@app.before_serving
async def open_client():
    app.http = httpx.AsyncClient(timeout=10)


@app.after_serving
async def close_client():
    await app.http.aclose()


@app.get("/feed")
async def feed():
    response = await app.http.get(FEED_URL)
    return jsonify(response.json()[:20])
