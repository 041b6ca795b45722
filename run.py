"""Entry point: `flask --app run.py ...` for commands, `gunicorn run:app` in production."""
from shop import create_app

app = create_app()
