import os


class Config:
    SECRET_KEY = os.environ.get("SECRET_KEY")
    SESSION_TYPE = "filesystem"
    SESSION_PERMANENT = False
    PRODUCTS_URL = os.environ.get("PRODUCTS_URL", "http://catalog.internal")
