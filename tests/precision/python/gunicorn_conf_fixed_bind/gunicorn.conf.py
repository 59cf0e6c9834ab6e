import logging
import multiprocessing
import os

bind = "0.0.0.0:8000"
workers = int(os.environ.get("WEB_CONCURRENCY", multiprocessing.cpu_count() * 2 + 1))
timeout = 30
accesslog = "-"
errorlog = "-"


def post_fork(server, worker):
    logging.getLogger("inventory").info("worker %s forked", worker.pid)
