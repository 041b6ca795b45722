"""The ceiling: a bare Flask "hello" app, served by bench/traffic.py under the same gunicorn settings."""
from flask import Flask

app = Flask(__name__)


@app.get("/")
def hello():
    return "hello"
