"""gunicorn as the systemd unit starts it: several workers, metrics added up across them, and a
reload (HUP) that replaces every worker without failing a single request."""
from __future__ import annotations

import os
import shlex
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from flask_migrate import upgrade
from prometheus_client.parser import text_string_to_metric_families

from shop import create_app
from shop.config import TestConfig
from tests.ops.test_deploy_files import DEPLOY, INSTALL_ROOT, REPO, unit

pytestmark = pytest.mark.filterwarnings("ignore::ResourceWarning")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def get(url: str, timeout: float = 5.0) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


def workers_of(pid: int) -> set[int]:
    found = subprocess.run(["ps", "--ppid", str(pid), "-o", "pid="], capture_output=True, text=True, check=False).stdout
    return {int(p) for p in found.split()}


@pytest.fixture
def server(tmp_path):
    database = f"sqlite:///{tmp_path / 'shop.sqlite3'}"
    app = create_app(TestConfig(database, str(tmp_path / "instance")))
    with app.app_context():
        upgrade()
    port = free_port()
    argv = shlex.split(unit(DEPLOY / "relearn-shop.service")["Service"]["ExecStart"])
    argv[0] = argv[0].replace(f"{INSTALL_ROOT}/.venv/bin", str(Path(sys.executable).parent))
    argv[argv.index("--bind") + 1] = f"127.0.0.1:{port}"
    env = {**os.environ, "DATABASE_URL": database, "INSTANCE_PATH": str(tmp_path / "instance"), "WEB_CONCURRENCY": "2",
           "PROMETHEUS_MULTIPROC_DIR": str(tmp_path / "metrics"), "SECRET_KEY": "x" * 48, "LOG_LEVEL": "WARNING"}
    log = open(tmp_path / "gunicorn.log", "w")  # noqa: SIM115
    process = subprocess.Popen(argv, cwd=REPO, env=env, stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if get(base + "/healthz", 1)[0] == 200 and len(workers_of(process.pid)) == 2:
                break
        except OSError:
            pass
        assert process.poll() is None, (tmp_path / "gunicorn.log").read_text()[-3000:]
        time.sleep(0.2)
    yield base, process
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        process.kill()
    log.close()


def test_the_units_command_serves_the_shop_with_metrics_from_every_worker(server):
    base, _process = server
    for _ in range(12):
        assert get(base + "/healthz")[0] == 200
    status, body = get(base + "/readyz")
    assert status == 200 and '"database":"ok"' in body.replace(" ", "")
    status, text = get(base + "/metrics")
    assert status == 200
    count = sum(
        sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
        if sample.name == "flask_http_request_duration_seconds_count" and sample.labels.get("endpoint") == "storefront.healthz"
    )
    assert count >= 12  # the start-up probes count too


def test_a_reload_replaces_the_workers_without_failing_a_request(server):
    base, process = server
    before = workers_of(process.pid)
    outcomes: list[object] = []
    stop = threading.Event()

    def keep_asking():
        while not stop.is_set():
            try:
                outcomes.append(get(base + "/healthz", 30)[0])  # a saturated machine answers slowly, but answers
            except OSError as error:
                outcomes.append(error)

    askers = [threading.Thread(target=keep_asking) for _ in range(2)]
    for asker in askers:
        asker.start()
    time.sleep(0.5)
    process.send_signal(signal.SIGHUP)  # what `systemctl reload relearn-shop` sends
    deadline = time.monotonic() + 90  # a busy CI machine boots workers slowly
    while time.monotonic() < deadline and (workers_of(process.pid) & before or len(workers_of(process.pid)) != 2):
        time.sleep(0.2)
    time.sleep(0.5)
    stop.set()
    for asker in askers:
        asker.join(35)
    after = workers_of(process.pid)
    assert after and not after & before, "every worker was replaced"
    assert len(outcomes) > 3
    assert set(outcomes) == {200}, [o for o in outcomes if o != 200][:5]
