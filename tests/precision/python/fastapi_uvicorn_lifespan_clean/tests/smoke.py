import uvicorn

from app.main import app


def check_app_starts():
    config = uvicorn.Config(app, host="127.0.0.1", port=8001)
    assert config.port == 8001
