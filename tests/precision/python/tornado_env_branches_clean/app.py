import asyncio
import json
import logging
import os
import socket

import tornado.web

log = logging.getLogger("leaderboard")
DEV = os.environ.get("APP_ENV", "production") == "development"


class ScoresHandler(tornado.web.RequestHandler):
    def initialize(self, redis_url: str):
        self.redis_url = redis_url

    async def get(self):
        self.write({"top": [], "source": self.redis_url})

    async def post(self):
        body = json.loads(self.request.body)
        log.info("score %s for %s", body["score"], body["player"])
        self.set_status(202)


def make_app() -> tornado.web.Application:
    return tornado.web.Application(
        [(r"/scores", ScoresHandler, {"redis_url": os.environ.get("REDIS_URL", "redis://cache.internal:6379")})],
        debug=DEV,
    )


def free_port() -> int:
    # For the local profiler only: ask the kernel for any free port.
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


async def main():
    app = make_app()
    if DEV:
        app.listen(8888, address="127.0.0.1")
    else:
        app.listen(int(os.environ["PORT"]), address="0.0.0.0")
    await asyncio.Event().wait()


if __name__ == "__main__":
    logging.basicConfig(level=logging.INFO)
    asyncio.run(main())
