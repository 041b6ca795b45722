"""Load benchmark for the anonymous storefront pages, run by hand.

What it does, all on 127.0.0.1 and all undone at the end (try/finally):

1. creates a throw-away PostgreSQL database `relearn_bench_<random>`;
2. builds the schema (`flask db upgrade`), loads the demo data (`seed-demo`) and
   scales it to 5,000 products (`scale-demo`), each as a subprocess from the repo root;
3. starts gunicorn serving `run:app` on a free port and waits for `/healthz`;
4. drives each page with `wrk` for a fixed time and number of connections, reading
   requests/s, p50/p99 latency and non-2xx responses from a small wrk Lua script;
5. prints a table (throughput as % of the bare `/healthz`) and a verdict per page:
   OK when a page reaches at least half of the bare endpoint's throughput, else
   BELOW AIM; writes everything to bench/results/load-<timestamp>.json;
6. stops gunicorn and drops the database.

Usage, from the repo root (the venv's Python, so psycopg and gunicorn are there):

    .venv/bin/python bench/load.py --quick        # 2 s per page, 1,000 products
    .venv/bin/python bench/load.py                # 10 s per page, 5,000 products
    .venv/bin/python bench/load.py --redis        # shared Redis cache (db 15)

Exit status: 0 when every page answered 2xx throughout, 1 when a page had errors,
2 when the benchmark could not run (no wrk, no PostgreSQL, a setup step failed).
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections import deque
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from datetime import datetime
from pathlib import Path
from types import FrameType
from urllib.parse import quote, urlsplit, urlunsplit

REPO_ROOT = Path(__file__).resolve().parent.parent
RESULTS_DIR = REPO_ROOT / "bench" / "results"
LOOPBACK = "127.0.0.1"
DEFAULT_PG = f"postgresql://postgres@{LOOPBACK}:5432/postgres"
REDIS_URL = f"redis://{LOOPBACK}:6379/15"
REDIS_KEY_PATTERN = "relearn:*"  # the app's CACHE_KEY_PREFIX
WRK = "/usr/bin/wrk"  # Debian's package; else the first wrk on PATH
PRODUCT_PROGRESS = re.compile(r"products: (\d+)/(\d+) \S")
AIM_PERCENT = 50.0  # a page should reach at least half of the bare endpoint's throughput
DRIFT = 0.15  # the first and last bare runs should agree within this
BUSY_PERCENT = 15.0  # CPU used by other programs, while the server idles, above which numbers are noisy


@dataclass(frozen=True)
class Page:
    name: str
    path: str
    judged: bool = True  # an anonymous catalogue/product page with a verdict


# The bare endpoint is measured first and last; "% of bare" uses the faster of the two, so
# a bare run slowed by something else on the machine cannot make the pages look good.
PAGES: tuple[Page, ...] = (
    Page("bare /healthz", "/healthz", judged=False),
    Page("home", "/"),
    Page("catalogue", "/products"),
    Page("catalogue south p3", "/products?region=south&page=3"),
    Page("search Thai", "/products?q=" + quote("ผ้า")),
    Page("search English", "/products?q=leaf"),
    Page("product", "/products/leaf-printed-cloth"),
    Page("bare /healthz again", "/healthz", judged=False),
)

# Per-thread counters, summed in done(); one JSON line that load.py reads back.
WRK_LUA = r"""
-- As browsers do: compression is part of what a page costs.
wrk.headers["Accept-Encoding"] = "gzip, deflate, br, zstd"
local threads = {}

function setup(thread)
  table.insert(threads, thread)
end

function init(args)
  non2xx = 0
  s3xx = 0
  s4xx = 0
  s5xx = 0
end

function response(status, headers, body)
  if status < 200 or status > 299 then
    non2xx = non2xx + 1
    if status >= 500 then s5xx = s5xx + 1
    elseif status >= 400 then s4xx = s4xx + 1
    elseif status >= 300 then s3xx = s3xx + 1 end
  end
end

function done(summary, latency, requests)
  local n, r3, r4, r5 = 0, 0, 0, 0
  for _, t in ipairs(threads) do
    n = n + t:get("non2xx")
    r3 = r3 + t:get("s3xx")
    r4 = r4 + t:get("s4xx")
    r5 = r5 + t:get("s5xx")
  end
  local e = summary.errors
  io.write(string.format(
    'BENCH_JSON {"requests": %d, "duration_us": %d, "bytes": %d, ' ..
    '"p50_us": %d, "p90_us": %d, "p99_us": %d, "max_us": %d, "mean_us": %.1f, ' ..
    '"non2xx": %d, "status_3xx": %d, "status_4xx": %d, "status_5xx": %d, ' ..
    '"connect_errors": %d, "read_errors": %d, "write_errors": %d, "timeouts": %d}\n',
    summary.requests, summary.duration, summary.bytes,
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max, latency.mean,
    n, r3, r4, r5, e.connect, e.read, e.write, e.timeout))
end
"""


class BenchError(RuntimeError):
    """The benchmark cannot go on; the message says why."""


@dataclass
class PageResult:
    name: str
    path: str
    judged: bool
    status: int  # of one plain GET before the load
    body_bytes: int
    requests: int
    seconds: float
    rps: float
    p50_ms: float
    p90_ms: float
    p99_ms: float
    max_ms: float
    non2xx: int
    socket_errors: int
    status_counts: dict[str, int]
    background_cpu_percent: float  # CPU busy just before the load, the server idle: other programs
    percent_of_bare: float = 0.0
    rounds_rps: list[float] = field(default_factory=list)  # every round's requests/s, with --rounds
    verdict: str = ""
    wrk_output: str = field(default="", repr=False)

    @property
    def errors(self) -> int:
        return self.non2xx + self.socket_errors


@dataclass
class RunInfo:
    """What the report says about the run besides the pages."""

    started: datetime
    products: int = 0
    load_before: tuple[float, float, float] = (0.0, 0.0, 0.0)  # os.getloadavg() before anything


@dataclass
class Settings:
    pg: str
    duration: int
    connections: int
    wrk_threads: int
    warmup: int
    products: int
    workers: int
    worker_class: str
    threads: int
    redis: bool
    rounds: int


# --------------------------------------------------------------------------- helpers


def say(message: str) -> None:
    print(message, flush=True)


def require_loopback(url: str, what: str) -> None:
    host = urlsplit(url).hostname
    if host != LOOPBACK:
        raise BenchError(f"{what} must be on {LOOPBACK}, not {host!r}: this benchmark talks to nothing else")


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((LOOPBACK, 0))
        return int(sock.getsockname()[1])


def database_url(server_url: str, name: str, driver: str = "postgresql") -> str:
    """The server URL pointed at database `name` (`driver` lets SQLAlchemy pick psycopg 3)."""
    parts = urlsplit(server_url)
    return urlunsplit((driver, parts.netloc, f"/{name}", parts.query, ""))


# --------------------------------------------------------------------------- PostgreSQL


@contextmanager
def bench_database(server_url: str) -> Iterator[str]:
    """A fresh database on the server, dropped on the way out whatever happened; yields its name."""
    import psycopg
    from psycopg import sql

    name = f"relearn_bench_{secrets.token_hex(4)}"
    try:
        admin = psycopg.connect(server_url, autocommit=True, connect_timeout=5)
    except psycopg.OperationalError as exc:
        raise BenchError(f"cannot reach PostgreSQL at {server_url}: {exc}".strip()) from exc
    with admin:
        admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
        say(f"==> created database {name}")
        try:
            yield name
        finally:
            try:
                admin.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
            except psycopg.errors.SyntaxError:  # PostgreSQL before 13 has no FORCE
                admin.execute(sql.SQL("DROP DATABASE IF EXISTS {}").format(sql.Identifier(name)))
            say(f"==> dropped database {name}")


def count_products(url: str) -> int:
    import psycopg

    with psycopg.connect(url, connect_timeout=5) as conn:
        row = conn.execute("SELECT count(*) FROM product WHERE status = 'active'").fetchone()
    return int(row[0]) if row else 0


def analyse(url: str) -> None:
    """VACUUM ANALYZE, as autovacuum soon would in a running shop.

    Right after the bulk load the planner still thinks the product table is tiny and
    picks nested loops over all 5,000 rows: uncached pages were about twice as slow.
    """
    import psycopg

    say("==> VACUUM ANALYZE (fresh statistics, as autovacuum would give a running shop)")
    with psycopg.connect(url, autocommit=True, connect_timeout=5) as conn:
        conn.execute("VACUUM ANALYZE")


def clear_redis_cache() -> int:
    """Delete the app's keys in the benchmark's Redis db, so no run reads another's fragments."""
    import redis

    client = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=3)
    try:
        keys = list(client.scan_iter(match=REDIS_KEY_PATTERN, count=1000))
        if keys:
            client.delete(*keys)
        return len(keys)
    except redis.RedisError as exc:
        raise BenchError(f"cannot reach Redis at {REDIS_URL}: {exc}") from exc
    finally:
        client.close()


# --------------------------------------------------------------------------- the app


def app_environment(db_url: str, instance: Path, redis: bool) -> dict[str, str]:
    """The environment for flask and gunicorn: this run's database, folder and key, nothing remote."""
    env = dict(os.environ)
    env.update(
        DATABASE_URL=db_url,
        INSTANCE_PATH=str(instance),
        MEDIA_FOLDER=str(instance / "media"),
        SECRET_KEY=secrets.token_urlsafe(32),
        SESSION_COOKIE_SECURE="0",
        FLASK_DEBUG="0",
        LOG_LEVEL="WARNING",
        # Set, even if empty, so that a developer's .env cannot point the run elsewhere.
        REDIS_URL=REDIS_URL if redis else "",
        STRIPE_SECRET_KEY="",
        STRIPE_WEBHOOK_SECRET="",
        PYTHONUNBUFFERED="1",
    )
    return env


def flask_command(args: Sequence[str], env: dict[str, str], label: str) -> None:
    """Run `flask --app run.py <args>` from the repo root, echoing its output as progress."""
    say(f"==> {label}: flask --app run.py {' '.join(args)}")
    started = time.monotonic()
    process = subprocess.Popen(
        [sys.executable, "-m", "flask", "--app", "run.py", *args],
        cwd=REPO_ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    assert process.stdout is not None
    tail: deque[str] = deque(maxlen=40)
    try:
        for line in process.stdout:
            line = line.rstrip()
            tail.append(line)
            if worth_showing(line):
                say(f"    {line}")
    except BaseException:  # interrupted: do not leave it writing to a database about to be dropped
        process.kill()
        process.wait()
        raise
    if process.wait() != 0:
        raise BenchError(f"{label} failed (exit {process.returncode}); last output:\n" + "\n".join(tail))
    say(f"    ({time.monotonic() - started:.1f} s)")


def worth_showing(line: str) -> bool:
    """seed-demo prints a line per product ("products: 7/58 slug"): keep every tenth and the last."""
    match = PRODUCT_PROGRESS.search(line)
    if not match:
        return True
    done, total = int(match[1]), int(match[2])
    return done % 10 == 0 or done == total


@contextmanager
def gunicorn_server(
    settings: Settings, env: dict[str, str], instance: Path, app: str = "run:app", chdir: Path = REPO_ROOT,
    health: str = "/healthz",
) -> Iterator[str]:
    """gunicorn serving `app` (run:app) on a free loopback port; yields its base URL and stops it after."""
    port = free_port()
    log = instance / "gunicorn.log"
    command = [
        sys.executable, "-m", "gunicorn",
        "--chdir", str(chdir),
        "--bind", f"{LOOPBACK}:{port}",
        "--workers", str(settings.workers),
        "--worker-class", settings.worker_class,
        "--threads", str(settings.threads),
        "--worker-tmp-dir", "/dev/shm" if Path("/dev/shm").is_dir() else str(instance),
        "--log-level", "warning",
        "--error-logfile", str(log),
        app,
    ]
    kind = settings.worker_class + (f" x{settings.threads} threads" if settings.worker_class == "gthread" else "")
    say(f"==> starting gunicorn ({app}): {settings.workers} {kind} workers on {LOOPBACK}:{port}")
    process = subprocess.Popen(command, cwd=chdir, env=env, start_new_session=True)
    base = f"http://{LOOPBACK}:{port}"
    try:
        wait_until_healthy(base, process, log, path=health)
        yield base
    finally:
        if process.poll() is None:
            process.terminate()  # SIGTERM: gunicorn's graceful shutdown
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        say(f"==> gunicorn stopped (exit {process.returncode})")


def wait_until_healthy(base: str, process: subprocess.Popen[bytes], log: Path, timeout: float = 60,
                       path: str = "/healthz") -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise BenchError(f"gunicorn exited with {process.returncode}:\n{read_tail(log)}")
        status, _ = fetch(base + path)
        if status == 200:
            say(f"    {path} answers 200 ({timeout - (deadline - time.monotonic()):.1f} s)")
            return
        time.sleep(0.2)
    raise BenchError(f"gunicorn did not answer /healthz within {timeout:.0f} s:\n{read_tail(log)}")


def read_tail(path: Path, lines: int = 30) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return "(no log)"


ACCEPT_ENCODING = "gzip, deflate, br, zstd"  # what wrk sends too (WRK_LUA)


def fetch(url: str) -> tuple[int, int]:
    """(status, body size as sent, compressed) of one GET; status 0 when nothing answered."""
    require_loopback(url, "a benchmarked URL")
    try:
        request = urllib.request.Request(url, headers={"Accept-Encoding": ACCEPT_ENCODING})
        with urllib.request.urlopen(request, timeout=30) as response:  # loopback only, checked above
            return response.status, len(response.read())
    except urllib.error.HTTPError as error:
        return error.code, len(error.read())
    except (urllib.error.URLError, OSError):
        return 0, 0


# --------------------------------------------------------------------------- wrk


def run_wrk(url: str, settings: Settings, seconds: int, lua: Path) -> tuple[dict[str, float], str]:
    """One wrk run; returns the numbers the Lua script printed and wrk's own text output."""
    require_loopback(url, "a benchmarked URL")
    command = [
        find_wrk(),
        "--threads", str(min(settings.wrk_threads, settings.connections)),
        "--connections", str(settings.connections),
        "--duration", f"{seconds}s",
        "--timeout", "10s",
        "--latency",
        "--script", str(lua),
        url,
    ]
    done = subprocess.run(command, capture_output=True, text=True, timeout=seconds + 60, check=False)
    if done.returncode != 0:
        raise BenchError(f"wrk failed on {url} (exit {done.returncode}): {done.stderr.strip()}")
    for line in done.stdout.splitlines():
        if line.startswith("BENCH_JSON "):
            numbers: dict[str, float] = json.loads(line[len("BENCH_JSON "):])
            check_against_wrk_text(numbers, done.stdout)
            return numbers, done.stdout
    raise BenchError(f"wrk printed no BENCH_JSON line for {url}:\n{done.stdout}\n{done.stderr}")


def check_against_wrk_text(numbers: dict[str, float], text: str) -> None:
    """Cross-check the Lua numbers with wrk's --latency table and its non-2xx/3xx line."""
    for line in text.splitlines():
        words = line.split()
        if len(words) == 2 and words[0] == "99%":
            numbers["p99_us_latency_table"] = parse_wrk_time_us(words[1])
        elif line.strip().startswith("Non-2xx or 3xx responses:"):
            numbers["non2xx"] = max(numbers["non2xx"], int(words[-1]))


def parse_wrk_time_us(text: str) -> float:
    """wrk's '12.34ms' / '850.00us' / '1.20s' / '2.00m' as microseconds."""
    for unit, factor in (("us", 1.0), ("ms", 1e3), ("s", 1e6), ("m", 60e6)):
        if text.endswith(unit):
            return float(text[: -len(unit)]) * factor
    return float(text)


def cpu_times() -> tuple[int, int]:
    """(busy, total) jiffies of all CPUs since boot, from /proc/stat; (0, 0) where there is none."""
    try:
        fields = [int(x) for x in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    except (OSError, ValueError):
        return 0, 0
    idle = fields[3] + (fields[4] if len(fields) > 4 else 0)  # idle + iowait
    return sum(fields) - idle, sum(fields)


def background_cpu_percent(seconds: float = 0.5) -> float:
    """How busy the CPUs are while the server idles: other programs, which make the numbers noisy."""
    busy_0, total_0 = cpu_times()
    time.sleep(seconds)
    busy_1, total_1 = cpu_times()
    return round(100 * (busy_1 - busy_0) / (total_1 - total_0), 1) if total_1 > total_0 else 0.0


def benchmark_page(base: str, page: Page, settings: Settings, lua: Path, warm_up: bool) -> PageResult:
    url = base + page.path
    status, size = fetch(url)
    background = background_cpu_percent()
    say(f"--> {page.name:<20} {page.path}  (GET: {status}, {size / 1024:.1f} KiB)")
    if warm_up and settings.warmup:
        run_wrk(url, settings, settings.warmup, lua)  # fills each worker's cache; not counted
    numbers, text = run_wrk(url, settings, settings.duration, lua)
    seconds = numbers["duration_us"] / 1e6
    socket_errors = int(
        numbers["connect_errors"] + numbers["read_errors"] + numbers["write_errors"] + numbers["timeouts"]
    )
    result = PageResult(
        name=page.name,
        path=page.path,
        judged=page.judged,
        status=status,
        body_bytes=size,
        requests=int(numbers["requests"]),
        seconds=round(seconds, 3),
        rps=round(numbers["requests"] / seconds, 1) if seconds else 0.0,
        p50_ms=round(numbers["p50_us"] / 1000, 2),
        p90_ms=round(numbers["p90_us"] / 1000, 2),
        p99_ms=round(numbers["p99_us"] / 1000, 2),
        max_ms=round(numbers["max_us"] / 1000, 2),
        non2xx=int(numbers["non2xx"]),
        socket_errors=socket_errors,
        status_counts={
            "3xx": int(numbers["status_3xx"]),
            "4xx": int(numbers["status_4xx"]),
            "5xx": int(numbers["status_5xx"]),
        },
        background_cpu_percent=background,
        wrk_output=text,
    )
    flag = f"  !! {result.errors} errors" if result.errors or status != 200 else ""
    if background > BUSY_PERCENT:
        flag += f"  (other programs used {background:.0f}% CPU just before: noisy)"
    say(f"    {result.rps:8.1f} req/s  p50 {result.p50_ms:.1f} ms  p99 {result.p99_ms:.1f} ms{flag}")
    return result


# --------------------------------------------------------------------------- report


def best_of(rounds: list[list[PageResult]]) -> list[PageResult]:
    """Each page's fastest round (the one least disturbed by other programs); errors of all rounds."""
    best = []
    for runs in zip(*rounds, strict=True):
        chosen = max(runs, key=lambda r: r.rps)
        chosen.non2xx = sum(r.non2xx for r in runs)
        chosen.socket_errors = sum(r.socket_errors for r in runs)
        chosen.status = next((r.status for r in runs if r.status != 200), chosen.status)
        chosen.rounds_rps = [r.rps for r in runs]
        best.append(chosen)
    return best


def judge(results: list[PageResult]) -> float:
    """Fill in % of bare and the verdicts; return the bare endpoint's requests/s."""
    bare = max((r.rps for r in results if not r.judged), default=0.0)
    for result in results:
        result.percent_of_bare = round(100 * result.rps / bare, 1) if bare else 0.0
        if result.judged:
            result.verdict = "OK" if result.percent_of_bare >= AIM_PERCENT else "BELOW AIM"
        if result.errors or result.status != 200:
            result.verdict = (result.verdict + " " if result.verdict else "") + "FLAGGED: ERRORS"
    return bare


def print_report(results: list[PageResult], settings: Settings, info: RunInfo, bare: float) -> None:
    headers = ("page", "path", "req/s", "p50 ms", "p99 ms", "errors", "% bare")
    rows = [
        (
            r.name,
            r.path,
            f"{r.rps:.1f}",
            f"{r.p50_ms:.1f}",
            f"{r.p99_ms:.1f}",
            f"{r.errors}" + (" !!" if r.errors or r.status != 200 else ""),
            f"{r.percent_of_bare:.0f}%",
        )
        for r in results
    ]
    widths = [max(len(h), *(len(row[i]) for row in rows)) for i, h in enumerate(headers)]
    right = {2, 3, 4, 5, 6}

    def line(cells: Sequence[str]) -> str:
        padded = (c.rjust(w) if i in right else c.ljust(w) for i, (c, w) in enumerate(zip(cells, widths, strict=True)))
        return "  ".join(padded)

    cache = "Redis (shared)" if settings.redis else "SimpleCache (per worker)"
    kind = settings.worker_class + (f" x{settings.threads}" if settings.worker_class == "gthread" else "")
    say("")
    rounds = f", best of {settings.rounds} rounds" if settings.rounds > 1 else ""
    say(
        f"Relearn Shop load benchmark: {info.products} products, {settings.workers} {kind} workers, "
        f"cache {cache}, wrk {settings.connections} connections x {settings.duration} s per page{rounds}, "
        f"{os.cpu_count()} CPUs"
    )
    say(line(headers))
    say(line(["-" * w for w in widths]))
    for row in rows:
        say(line(row))
    say("")
    say(f"bare = the faster /healthz run, {bare:.0f} req/s; aim: {AIM_PERCENT:.0f}% of it")
    for r in results:
        if r.verdict:
            say(f"{r.name:<20} {r.percent_of_bare:5.0f}% of bare  {r.verdict}")
    bare_runs = [r.rps for r in results if not r.judged]
    if len(bare_runs) > 1 and min(bare_runs) < (1 - DRIFT) * max(bare_runs):
        say(
            f"\nwarning: the two /healthz runs differ by more than {DRIFT:.0%} "
            f"({min(bare_runs):.0f} and {max(bare_runs):.0f} req/s): the machine's speed changed during the run"
        )
    busiest = max(r.background_cpu_percent for r in results)
    if busiest > BUSY_PERCENT:
        say(
            f"\nwarning: other programs were using the CPUs (up to {busiest:.0f}% while the server idled"
            f" between pages; load average {info.load_before[0]:.1f} at the start): the numbers are noisy"
        )


def write_json(results: list[PageResult], settings: Settings, info: RunInfo, bare: float) -> Path:
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    path = RESULTS_DIR / f"load-{info.started:%Y%m%d-%H%M%S}.json"
    document = {
        "started_at": info.started.isoformat(timespec="seconds"),
        "settings": asdict(settings),
        "machine": {
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
            "platform": platform.platform(),
            "load_average_before": info.load_before,
        },
        "products": info.products,
        "aim_percent_of_bare": AIM_PERCENT,
        "bare_rps": bare,
        "pages": [asdict(r) | {"errors": r.errors} for r in results],
    }
    path.write_text(json.dumps(document, indent=2, ensure_ascii=False) + "\n")
    return path


# --------------------------------------------------------------------------- main


def parse_args(argv: Sequence[str] | None = None) -> Settings:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--pg", default=DEFAULT_PG, help=f"PostgreSQL server to create the database on (default {DEFAULT_PG})"
    )
    parser.add_argument("--duration", type=int, help="seconds of load per page (default 10; 2 with --quick)")
    parser.add_argument("--connections", type=int, default=16, help="wrk connections (default 16)")
    parser.add_argument("--wrk-threads", type=int, default=2, help="wrk threads (default 2)")
    parser.add_argument("--warmup", type=int, default=1, help="seconds of unmeasured load per page first (default 1)")
    parser.add_argument("--products", type=int, help="products in the catalogue (default 5000; 1000 with --quick)")
    parser.add_argument("--workers", type=int, default=3, help="gunicorn workers (default 3)")
    parser.add_argument(
        "--worker-class", choices=("sync", "gthread"), default="sync", help="gunicorn worker class (default sync)"
    )
    parser.add_argument("--threads", type=int, default=1, help="threads per gthread worker (default 1)")
    parser.add_argument(
        "--rounds",
        type=int,
        default=1,
        help="go through the pages this many times and keep each page's fastest round (for a shared machine)",
    )
    parser.add_argument("--redis", action="store_true", help=f"share the cache through Redis ({REDIS_URL})")
    parser.add_argument("--quick", action="store_true", help="2 s per page and 1,000 products, for trying it")
    args = parser.parse_args(argv)
    if min(args.connections, args.workers, args.threads, args.wrk_threads, args.rounds) < 1:
        parser.error("--connections, --workers, --threads, --wrk-threads and --rounds must be at least 1")
    duration = args.duration or (2 if args.quick else 10)
    products = args.products or (1000 if args.quick else 5000)
    if duration < 1 or products < 1 or args.warmup < 0:
        parser.error("--duration and --products must be at least 1, --warmup at least 0")
    return Settings(
        pg=args.pg,
        duration=duration,
        connections=args.connections,
        wrk_threads=args.wrk_threads,
        warmup=args.warmup,
        products=products,
        workers=args.workers,
        worker_class=args.worker_class,
        threads=args.threads,
        redis=args.redis,
        rounds=args.rounds,
    )


def find_wrk() -> str:
    found = WRK if Path(WRK).is_file() else shutil.which("wrk")
    if found is None:
        raise BenchError("wrk is missing: apt-get install wrk")
    return found


def check_tools() -> None:
    find_wrk()
    for module in ("psycopg", "gunicorn", "flask"):
        try:
            __import__(module)
        except ImportError as exc:
            raise BenchError(f"{module} is not importable: run this with the project's .venv/bin/python") from exc


def raise_on_sigterm(_signum: int, _frame: FrameType | None) -> None:
    raise KeyboardInterrupt  # so that the finally blocks stop gunicorn and drop the database


def run(settings: Settings) -> int:
    info = RunInfo(started=datetime.now(), load_before=os.getloadavg())
    check_tools()
    require_loopback(settings.pg, "--pg")
    instance = Path(tempfile.mkdtemp(prefix="relearn-bench-"))
    try:
        with bench_database(settings.pg) as name:
            env = app_environment(database_url(settings.pg, name, "postgresql+psycopg"), instance, settings.redis)
            flask_command(["db", "upgrade"], env, "schema")
            flask_command(["seed-demo"], env, "demo data")
            flask_command(["scale-demo", "--products", str(settings.products)], env, "scale")
            analyse(database_url(settings.pg, name))
            info.products = count_products(database_url(settings.pg, name))
            say(f"    {info.products} active products")
            lua = instance / "report.lua"
            lua.write_text(WRK_LUA)
            if settings.redis:
                say(f"==> cleared {clear_redis_cache()} cached keys in {REDIS_URL}")
            try:
                with gunicorn_server(settings, env, instance) as base:
                    rounds = []
                    for number in range(1, settings.rounds + 1):
                        if settings.rounds > 1:
                            say(f"==> round {number} of {settings.rounds}")
                        rounds.append([benchmark_page(base, page, settings, lua, number == 1) for page in PAGES])
                    results = best_of(rounds)
            finally:
                if settings.redis:
                    clear_redis_cache()
    finally:
        shutil.rmtree(instance, ignore_errors=True)
    bare = judge(results)
    print_report(results, settings, info, bare)
    path = write_json(results, settings, info, bare)
    say(f"\nresults: {path.relative_to(REPO_ROOT)}")
    return 1 if any(r.errors or r.status != 200 for r in results) else 0


def main(argv: Sequence[str] | None = None) -> int:
    settings = parse_args(argv)
    signal.signal(signal.SIGTERM, raise_on_sigterm)
    try:
        return run(settings)
    except BenchError as error:
        print(f"load.py: {error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("load.py: interrupted; cleaned up", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
