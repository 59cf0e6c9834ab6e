import os

from flask import Flask
from flask_sqlalchemy import SQLAlchemy

app = Flask(__name__, instance_relative_config=True)
app.config["SQLALCHEMY_DATABASE_URI"] = "mysql+pymysql://{}:{}@{}/{}".format(
    os.environ.get("MYSQL_USERNAME", "root"),
    os.environ.get("MYSQL_PASSWORD", ""),
    os.environ.get("MYSQL_ADDRESS", "127.0.0.1:3306"),
    os.environ.get("MYSQL_DATABASE", "counter"),
)
db = SQLAlchemy(app)

from counter import views  # noqa: E402,F401
