import os
import time

import pymysql
from flask import Flask

app = Flask(__name__)
EXPIRY_DAYS = int(os.environ.get("EXPIRY_DAYS", "365"))


@app.post("/jobs/expire-points")
def expire_points():
    """Called once a day by a CloudBase timer trigger: the work happens inside this request."""
    started = time.monotonic()
    connection = pymysql.connect(host=os.environ["DB_HOST"], database=os.environ["DB_NAME"],
                                 user=os.environ.get("DB_USER", "loyalty"), password=os.environ.get("DB_PASSWORD", ""))
    with connection, connection.cursor() as cursor:
        expired = cursor.execute("DELETE FROM points WHERE created < NOW() - INTERVAL %s DAY", (EXPIRY_DAYS,))
        connection.commit()
    return {"expired": expired, "seconds": round(time.monotonic() - started, 2)}
