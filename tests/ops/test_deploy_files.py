"""deploy/: the Caddy site file validates, the systemd units parse and run real commands, and the
environment template lists exactly the settings shop/config.py reads."""
from __future__ import annotations

import ast
import configparser
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import IN_CI

REPO = Path(__file__).resolve().parents[2]
DEPLOY = REPO / "deploy"
INSTALL_ROOT = "/srv/relearn-shop"
UNITS = sorted(DEPLOY.glob("*.service")) + sorted(DEPLOY.glob("*.timer"))
TIMER_COMMANDS = {"relearn-shop-expire": "expire-reservations", "relearn-shop-stripe-reconcile": "stripe-reconcile",
                  "relearn-shop-backup": "backup"}


def need(tool: str, package: str) -> str:
    found = shutil.which(tool)
    if found is None:
        message = f"{tool} is not installed (apt-get install {package})"
        if IN_CI:
            pytest.fail(message, pytrace=False)
        pytest.skip(message)
    return found


# --- The environment template and config.py ---------------------------------------------------

def settings_read_by_config(source: str) -> set[str]:
    """Environment names config.py reads: os.environ.get/[]/setdefault, os.getenv, and its helpers
    whose first parameter is the name (_bool, _int, ...)."""
    tree = ast.parse(source)
    helpers = {node.name for node in tree.body if isinstance(node, ast.FunctionDef) and node.args.args and node.args.args[0].arg == "name"}
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and node.args and isinstance(node.args[0], ast.Constant) and isinstance(node.args[0].value, str):
            function = ast.unparse(node.func)
            if function in {"os.environ.get", "os.getenv", "os.environ.setdefault"} or function in helpers:
                names.add(node.args[0].value)
        elif isinstance(node, ast.Subscript) and ast.unparse(node.value) == "os.environ" and isinstance(node.slice, ast.Constant):
            names.add(node.slice.value)
    return names


def settings_in_template(text: str) -> set[str]:
    return set(re.findall(r"^#?([A-Z][A-Z0-9_]*)=", text, flags=re.MULTILINE))


def test_the_environment_template_lists_every_setting_and_only_those():
    read = settings_read_by_config((REPO / "shop" / "config.py").read_text())
    listed = settings_in_template((DEPLOY / "relearn-shop.env").read_text())
    assert {"DATABASE_URL", "SECRET_KEY", "PROMPTPAY_NAME", "METRICS_TOKEN", "SENTRY_DSN", "BACKUP_KEEP"} <= read
    set_by_flask = {"FLASK_RUN_FROM_CLI"}  # Flask's own marker for `flask run`, not a setting
    assert sorted(read - listed - set_by_flask) == [], "settings missing from deploy/relearn-shop.env"
    assert sorted(listed - read) == [], "settings in deploy/relearn-shop.env that the shop never reads"


def test_the_settings_parser_finds_every_way_of_reading_the_environment():
    source = (
        "import os\n"
        "def _flag(name, default):\n    return os.environ.get(name)\n"
        "A = os.environ.get('ALPHA')\nB = os.environ['BETA']\nC = _flag('GAMMA', 1)\nD = os.getenv('DELTA')\n"
        "os.environ.setdefault('EPSILON', 'x')\nE = dict(x='NOT_A_SETTING')\n"
    )
    assert settings_read_by_config(source) == {"ALPHA", "BETA", "GAMMA", "DELTA", "EPSILON"}


def test_the_template_needs_a_real_secret_and_promptpay_account():
    text = (DEPLOY / "relearn-shop.env").read_text()
    assert "SECRET_KEY=change-me" in text and "\nPROMPTPAY_ID=\n" in text and "TRUST_PROXY_HEADERS=1" in text


# --- Caddy ----------------------------------------------------------------------------------

def test_the_caddy_site_file_is_valid():
    caddy = need("caddy", "caddy")
    done = subprocess.run([caddy, "validate", "--adapter", "caddyfile", "--config", str(DEPLOY / "Caddyfile")],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr[-3000:]
    assert "Valid configuration" in done.stdout + done.stderr


def test_the_caddy_check_fails_on_a_broken_site_file(tmp_path):
    caddy = need("caddy", "caddy")
    broken = tmp_path / "Caddyfile"
    broken.write_text((DEPLOY / "Caddyfile").read_text().replace("file_server", "file_servr", 1))
    done = subprocess.run([caddy, "validate", "--adapter", "caddyfile", "--config", str(broken)], capture_output=True, text=True, timeout=60)
    assert done.returncode != 0


def test_caddy_serves_static_and_media_itself_and_proxies_the_rest():
    text = (DEPLOY / "Caddyfile").read_text()
    assert re.search(r"handle /static/\* \{[^}]*max-age=31536000[^}]*file_server", text, re.S)
    assert re.search(r"handle_path /media/\* \{[^}]*max-age=31536000[^}]*file_server", text, re.S)
    assert "reverse_proxy 127.0.0.1:8000" in text


# --- systemd --------------------------------------------------------------------------------

def unit(path: Path) -> configparser.ConfigParser:
    parser = configparser.ConfigParser(strict=False, interpolation=None)
    parser.optionxform = str  # keys are case-sensitive
    parser.read_string(path.read_text())
    return parser


def local_copy(path: Path, folder: Path) -> Path:
    """The unit with the install paths pointing at this checkout and this Python."""
    text = path.read_text().replace(f"{INSTALL_ROOT}/.venv/bin/", f"{Path(sys.executable).parent}/").replace(INSTALL_ROOT, str(REPO))
    copy = folder / path.name
    copy.write_text(text)
    return copy


def test_systemd_accepts_every_unit(tmp_path):
    analyze = need("systemd-analyze", "systemd")
    copies = [local_copy(path, tmp_path) for path in UNITS]
    done = subprocess.run([analyze, "verify", *map(str, copies)], capture_output=True, text=True, timeout=120)
    problems = [line for line in done.stderr.splitlines() if "Unknown" in line or "not executable" in line or "bad" in line.lower()]
    assert done.returncode == 0 and not problems, done.stderr


@pytest.mark.parametrize("path", UNITS, ids=lambda p: p.name)
def test_each_unit_parses_with_its_required_keys(path):
    parsed = unit(path)
    assert parsed.get("Unit", "Description")
    if path.suffix == ".timer":
        assert parsed.get("Timer", "OnCalendar") and parsed.get("Install", "WantedBy") == "timers.target"
        assert (DEPLOY / f"{path.stem}.service").is_file(), "a timer starts the service of the same name"
    else:
        for key in ("User", "WorkingDirectory", "EnvironmentFile", "ExecStart"):
            assert parsed.get("Service", key), key
        assert parsed.get("Service", "WorkingDirectory") == INSTALL_ROOT


def test_the_gunicorn_unit_runs_the_app_and_reloads_gracefully():
    from gunicorn.config import Config

    service = unit(DEPLOY / "relearn-shop.service")["Service"]
    argv = shlex.split(service["ExecStart"])
    assert argv[0] == f"{INSTALL_ROOT}/.venv/bin/gunicorn"
    options = Config().parser().parse_args(argv[1:])  # gunicorn's own command-line parser
    assert options.args == ["run:app"] and options.bind == ["127.0.0.1:8000"]
    assert (REPO / options.config).is_file()
    assert "app = create_app()" in (REPO / "run.py").read_text()
    assert service["ExecReload"] == "/bin/kill -s HUP $MAINPID"
    assert service["Type"] == "notify"
    multiproc = service["Environment"].partition("=")[2]
    assert service["Environment"].startswith("PROMETHEUS_MULTIPROC_DIR=") and multiproc.startswith(f"/run/{service['RuntimeDirectory']}/")


@pytest.mark.parametrize("stem", sorted(TIMER_COMMANDS))
def test_each_timer_runs_a_real_flask_command(stem, app):
    argv = shlex.split(unit(DEPLOY / f"{stem}.service")["Service"]["ExecStart"])
    assert argv[:3] == [f"{INSTALL_ROOT}/.venv/bin/flask", "--app", "run.py"]
    assert argv[3:] == [TIMER_COMMANDS[stem]]
    assert TIMER_COMMANDS[stem] in app.cli.commands
    assert unit(DEPLOY / f"{stem}.service")["Service"]["Type"] == "oneshot"


def test_the_timers_calendars_are_valid():
    analyze = need("systemd-analyze", "systemd")
    for path in DEPLOY.glob("*.timer"):
        calendar = unit(path)["Timer"]["OnCalendar"]
        done = subprocess.run([analyze, "calendar", calendar], capture_output=True, text=True, timeout=30)
        assert done.returncode == 0, (path.name, done.stderr)
