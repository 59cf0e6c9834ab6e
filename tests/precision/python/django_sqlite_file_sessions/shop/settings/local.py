from .base import *  # noqa: F403

SECRET_KEY = "dev-only"
DEBUG = True
DATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": "dev.sqlite3"}}
SESSION_ENGINE = "django.contrib.sessions.backends.file"
