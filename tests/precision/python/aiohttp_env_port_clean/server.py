"""Chat gateway: relays messages to a Redis stream; listens on $PORT."""

import asyncio
import json
import logging
import os

from aiohttp import ClientSession, web

log = logging.getLogger("gateway")
routes = web.RouteTableDef()
UPSTREAM = os.environ.get("UPSTREAM_URL", "http://chat-core.internal")


@routes.get("/healthz")
async def healthz(request: web.Request) -> web.Response:
    return web.json_response({"ok": True})


@routes.post("/messages")
async def post_message(request: web.Request) -> web.Response:
    body = await request.json()
    session: ClientSession = request.app["http"]
    # Fan out to two upstream calls in parallel and wait for both before answering.
    store = asyncio.create_task(session.post(f"{UPSTREAM}/store", json=body))
    notify = asyncio.ensure_future(session.post(f"{UPSTREAM}/notify", json=body))
    await asyncio.gather(store, notify)
    return web.json_response({"accepted": True}, status=202)


@routes.get("/ws")
async def websocket(request: web.Request) -> web.WebSocketResponse:
    ws = web.WebSocketResponse(heartbeat=25)
    await ws.prepare(request)
    async for message in ws:
        await ws.send_str(json.dumps({"echo": message.data}))
    return ws


async def open_http(app: web.Application) -> None:
    app["http"] = ClientSession()


async def close_http(app: web.Application) -> None:
    await app["http"].close()


def create_app() -> web.Application:
    app = web.Application()
    app.add_routes(routes)
    app.on_startup.append(open_http)
    app.on_cleanup.append(close_http)
    return app


if __name__ == "__main__":
    logging.basicConfig(level=logging.INFO)
    web.run_app(create_app(), host="0.0.0.0", port=int(os.environ.get("PORT", "8080")))
