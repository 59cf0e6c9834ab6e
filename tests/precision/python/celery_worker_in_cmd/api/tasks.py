import io
import os
import tempfile

import requests
from celery import Celery
from PIL import Image

celery = Celery("thumbnailer", broker=os.environ.get("CELERY_BROKER_URL", "redis://localhost:6379/0"))


@celery.task(bind=True, max_retries=3)
def make_thumbnail(self, source_url: str, upload_url: str) -> None:
    image = Image.open(io.BytesIO(requests.get(source_url, timeout=30).content))
    image.thumbnail((256, 256))
    with tempfile.TemporaryDirectory() as scratch:
        target = os.path.join(scratch, "thumb.png")
        image.save(target)
        with open(target, "rb") as handle:
            requests.put(upload_url, data=handle, timeout=30)
