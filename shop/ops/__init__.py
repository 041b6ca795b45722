"""Running the shop for real: logs, metrics, health, maintenance mode, doctor, backups.

create_app() calls require_compiled_catalogues() first and init_app() once the blueprints
are in. The deploy/ folder and the README's production section use what is here.
"""
from __future__ import annotations

import hashlib
from pathlib import Path

from flask import Flask

from shop.ops.catalogues import require_compiled_catalogues  # noqa: F401
from shop.ops.cli import register_ops_commands
from shop.ops.health import bp, init_http_metrics
from shop.ops.logs import init_request_logging, init_sentry
from shop.ops.maintenance import init_maintenance
from shop.ops.pool import init_idle_ping


def init_app(app: Flask) -> None:
    init_idle_ping(app)
    init_request_logging(app)
    init_sentry(app)
    init_http_metrics(app)
    app.register_blueprint(bp)
    init_maintenance(app)
    _version_static_urls(app)
    register_ops_commands(app)


def _version_static_urls(app: Flask) -> None:
    """/static/css/shop.css?v=<content hash>: the web server may cache static files for a year."""
    versions: dict[str, str] = {}
    folder = Path(app.static_folder or "")

    @app.url_defaults
    def static_version(endpoint: str, values: dict) -> None:
        if endpoint != "static" or "filename" not in values or "v" in values:
            return
        filename = values["filename"]
        if filename not in versions:
            path = folder / filename
            versions[filename] = hashlib.sha256(path.read_bytes()).hexdigest()[:12] if path.is_file() else ""
        if versions[filename]:
            values["v"] = versions[filename]
