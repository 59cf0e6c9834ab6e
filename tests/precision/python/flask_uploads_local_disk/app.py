import os
import tempfile
import uuid

from flask import Flask, abort, request, send_from_directory
from PIL import Image
from werkzeug.utils import secure_filename

import storage

UPLOAD_FOLDER = os.path.join(os.path.dirname(os.path.abspath(__file__)), "uploads")
ALLOWED = {".png", ".jpg", ".jpeg", ".gif"}

app = Flask(__name__)
app.config["MAX_CONTENT_LENGTH"] = 16 * 1024 * 1024


def _checked(name: str) -> str:
    name = secure_filename(name)
    if os.path.splitext(name)[1].lower() not in ALLOWED:
        abort(400, "unsupported file type")
    return name


@app.post("/avatars")
def upload_avatar():
    upload = request.files["file"]
    name = f"{uuid.uuid4().hex}-{_checked(upload.filename)}"
    upload.save(os.path.join(UPLOAD_FOLDER, name))
    return {"url": f"/avatars/{name}"}, 201


@app.get("/avatars/<name>")
def avatar(name: str):
    return send_from_directory(UPLOAD_FOLDER, name)


@app.post("/photos")
def upload_photo():
    upload = request.files["file"]
    name = f"{uuid.uuid4().hex}-{_checked(upload.filename)}"
    local = os.path.join(tempfile.gettempdir(), name)
    upload.save(local)
    Image.open(local).convert("RGB").save(local + ".jpg", quality=85)
    url = storage.put(f"photos/{name}.jpg", local + ".jpg")
    os.remove(local)
    return {"url": url}, 201


@app.post("/thumbnails")
def thumbnail():
    upload = request.files["file"]
    path = os.path.join("/tmp", _checked(upload.filename))
    upload.save(path)
    image = Image.open(path)
    image.thumbnail((128, 128))
    image.save("/tmp/thumb.png")
    return send_from_directory("/tmp", "thumb.png")
