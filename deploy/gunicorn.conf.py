"""gunicorn settings for Relearn Shop (the systemd unit passes --config deploy/gunicorn.conf.py).

Workers: WEB_CONCURRENCY from /etc/relearn-shop/env (gunicorn reads it itself).
The app is not preloaded, so `systemctl reload` (HUP) starts workers on the new code.
"""
import os
from pathlib import Path

wsgi_app = "run:app"
timeout = 30
graceful_timeout = 30  # a reload or stop lets running requests finish
keepalive = 5
accesslog = None  # the shop logs one JSON line per request itself
errorlog = "-"
forwarded_allow_ips = "127.0.0.1,::1"  # Caddy on this machine


def on_starting(server):
    """Start with an empty metrics folder: counts from an earlier run must not be added again."""
    folder = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        for stale in Path(folder).glob("*.db"):
            stale.unlink()


def child_exit(server, worker):
    """A worker that stopped (reload, crash, max requests) leaves its counts, not its gauges."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(worker.pid)
