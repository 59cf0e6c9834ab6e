import os
import shutil
import subprocess
import tempfile

import requests
from flask import Flask, request

app = Flask(__name__)

# A local metrics agent, started next to the web server when the module is imported.
agent = subprocess.Popen(["/usr/local/bin/metrics-agent", "--listen", "127.0.0.1:9125"])


def ffmpeg_version() -> str:
    return subprocess.run(["ffmpeg", "-version"], capture_output=True, text=True, check=True).stdout.split("\n")[0]


VERSION = ffmpeg_version()


@app.get("/healthz")
def healthz():
    return {"ffmpeg": VERSION}


@app.post("/transcode")
def transcode():
    job = request.get_json()
    workdir = tempfile.mkdtemp()
    try:
        source = os.path.join(workdir, "in.mp4")
        target = os.path.join(workdir, "out.webm")
        with requests.get(job["source"], stream=True, timeout=60) as response, open(source, "wb") as handle:
            shutil.copyfileobj(response.raw, handle)
        with subprocess.Popen(["ffmpeg", "-y", "-i", source, target], stderr=subprocess.PIPE) as process:
            _, errors = process.communicate(timeout=240)
        if process.returncode != 0:
            return {"error": errors.decode()[-500:]}, 500
        with open(target, "rb") as result:
            requests.put(job["upload"], data=result, timeout=60)
        return {"ok": True}
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


@app.post("/preview")
def preview():
    job = request.get_json()
    # Fire and forget: the response goes out while ffmpeg keeps running in its own session.
    subprocess.Popen(["ffmpeg", "-i", job["source"], "-t", "10", "/tmp/preview.mp4"], start_new_session=True)
    return {"accepted": True}, 202
