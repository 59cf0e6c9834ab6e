import asyncio

from hypercorn.asyncio import serve
from hypercorn.config import Config

from feeds import app

config = Config()
config.accesslog = "-"
config.errorlog = "-"

asyncio.run(serve(app, config))
