from flask import Flask, request

from api.tasks import make_thumbnail

app = Flask(__name__)


@app.post("/thumbnails")
def enqueue():
    body = request.get_json()
    result = make_thumbnail.delay(body["source"], body["upload"])
    return {"task": result.id}, 202
