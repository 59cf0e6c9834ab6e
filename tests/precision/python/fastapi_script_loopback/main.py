import asyncio
import logging

import httpx
import uvicorn
from fastapi import FastAPI

from app.forecast import fetch

log = logging.getLogger("weather")
app = FastAPI(title="weather")
client = httpx.AsyncClient(timeout=10)
latest: dict[str, dict] = {}


async def poll_forever():
    while True:
        try:
            latest["shenzhen"] = await fetch(client, 22.54, 114.06)
        except httpx.HTTPError:
            log.exception("poll failed")
        await asyncio.sleep(300)


@app.on_event("startup")
async def start_polling():
    asyncio.create_task(poll_forever())


@app.get("/weather/{city}")
async def weather(city: str):
    return latest.get(city) or {"error": "unknown city"}


@app.get("/live")
async def live(lat: float, lon: float):
    # Awaited inside the request: finishes before the response.
    task = asyncio.create_task(fetch(client, lat, lon))
    return await task


if __name__ == "__main__":
    uvicorn.run(app, host="127.0.0.1", port=8000)
