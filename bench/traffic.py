"""A shopping day's traffic, beside a bare Flask "hello" app in the same run; run by hand.

All on 127.0.0.1 and all undone at the end (try/finally, also on Ctrl-C or SIGTERM): a throw-away
PostgreSQL database with the demo scaled to --products (5,000), gunicorn with the same settings
for every app (3 sync workers), wrk with --connections (16) and compression asked for (gzip, br,
zstd), as browsers do. For each cache (Redis as the shared cache, then the per-worker default),
on a freshly started shop:

  (c) cold        random product pages right after start, the cache empty
  (d) single      the single-URL pages of bench/load.py: home, catalogue, one product
  (a) random      product pages at random over all products; catalogue pages with random
                  filters, sorts and pages; first (untimed) every product page and catalogue
                  address is visited once, as a shop that has been open a while has seen them
  (b) busy        the same while bench/churn.py changes stock on random products twice a second
                  through the back office's services and places orders through the checkout's

and the bare "hello" app first and last (the faster is the ceiling). Prints req/s, p50, p99 and
the share of the ceiling, judges the issue's aims, and saves everything to
bench/results/traffic-<timestamp>.json.

    .venv/bin/python bench/traffic.py              # about 6 min: 8 s per run, 5,000 products
    .venv/bin/python bench/traffic.py --quick      # about 2 min: 3 s per run, 1,000 products
    .venv/bin/python bench/traffic.py --cache redis --duration 5

Exit status: 0 all runs answered 2xx, 1 some had errors, 2 could not run.
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from datetime import datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import load  # noqa: E402  (bench/load.py: database, environment, gunicorn and wrk helpers)

BENCH_DIR = Path(__file__).resolve().parent
AIMS = {  # (scenario, cache): (least share of the ceiling, most p99 in ms or None)
    ("b busy products", "redis"): (0.25, 50.0),
    ("c cold products", "redis"): (0.10, None),
    ("c cold products", "worker"): (0.10, None),
    ("d single product", "redis"): (0.5, None),
    ("d single catalogue", "redis"): (0.5, None),
    ("d single product", "worker"): (0.5, None),
    ("d single catalogue", "worker"): (0.5, None),
}

# Each wrk thread picks a random path from a file for every request.
RANDOM_LUA = r"""
local base_setup, base_init = setup, init
local thread_count = 0
function setup(thread)
  base_setup(thread)
  thread_count = thread_count + 1
  thread:set("tid", thread_count)
end
function init(args)
  base_init(args)
  paths = {}
  for line in io.lines("PATHS_FILE") do paths[#paths + 1] = line end
  math.randomseed(os.time() * 100 + tid)
end
function request()
  return wrk.format("GET", paths[math.random(#paths)])
end
"""


@dataclass
class Run:
    scenario: str
    cache: str
    urls: int
    rps: float
    p50_ms: float
    p99_ms: float
    requests: int
    errors: int
    status_counts: dict[str, int]
    background_cpu_percent: float
    share: float = 0.0
    aim: str = ""
    extra: dict = field(default_factory=dict)


def product_paths(url: str) -> list[str]:
    import psycopg

    with psycopg.connect(url) as conn:
        return [f"/products/{slug}" for (slug,) in conn.execute("SELECT slug FROM product WHERE status = 'active'")]


def catalogue_paths(url: str, per_page: int = 24, count: int = 3000) -> list[str]:
    """Catalogue addresses with random filters, sorts and pages, each page one that exists."""
    import psycopg

    groups: list[tuple[dict[str, str], int]] = []
    base = ("FROM product p JOIN centre c ON c.id = p.centre_id JOIN category k ON k.id = p.category_id "
            "WHERE p.status = 'active' AND EXISTS (SELECT 1 FROM variant v WHERE v.product_id = p.id AND v.active)")
    with psycopg.connect(url) as conn:
        groups.append(({}, conn.execute(f"SELECT count(*) {base}").fetchone()[0]))
        for column, arg in (("c.region", "region"), ("c.slug", "centre"), ("k.slug", "category"), ("c.province_code", "province")):
            for value, n in conn.execute(f"SELECT {column}, count(*) {base} GROUP BY {column}"):
                groups.append(({arg: value}, n))
        in_stock = conn.execute(f"SELECT count(*) {base} AND EXISTS (SELECT 1 FROM variant v WHERE v.product_id = p.id "
                                "AND v.active AND v.stock_on_hand > 0)").fetchone()[0]
        groups.append(({"in_stock": "1"}, in_stock))
    rng = random.Random(13)
    paths = []
    for _ in range(count):
        args, n = rng.choice(groups)
        pages = max(1, -(-n // per_page))
        args = dict(args)
        sort = rng.choice(["", "", "price_asc", "price_desc", "name"])
        if sort:
            args["sort"] = sort
        page = rng.randint(1, pages)
        if page > 1:
            args["page"] = str(page)
        query = "&".join(f"{k}={v}" for k, v in args.items())
        paths.append("/products" + (f"?{query}" if query else ""))
    return paths


def warm(base: str, paths: list[str]) -> None:
    """Visit every address once (untimed), eight at a time: the shop has been open a while."""
    import requests

    started, local = time.monotonic(), threading.local()

    def visit(path: str) -> int:
        session = local.__dict__.setdefault("session", requests.Session())
        return session.get(base + path, headers={"Accept-Encoding": "gzip, br, zstd"}, timeout=60).status_code

    unique = list(dict.fromkeys(paths))
    with ThreadPoolExecutor(max_workers=8) as pool:
        statuses = list(pool.map(visit, unique))
    bad = sum(1 for status in statuses if status != 200)
    load.say(f"    warmed {len(unique)} addresses in {time.monotonic() - started:.0f} s"
             + (f"  !! {bad} not 200" if bad else ""))


def wrk_run(base: str, paths: list[str], settings: load.Settings, seconds: int, folder: Path, name: str) -> dict:
    """wrk over `paths` (one: that URL; several: a random one per request)."""
    if len(paths) == 1:
        lua = folder / "single.lua"
        lua.write_text(load.WRK_LUA)
        numbers, _ = load.run_wrk(base + paths[0], settings, seconds, lua)
        return numbers
    listing = folder / f"{name}.paths"
    listing.write_text("\n".join(paths) + "\n")
    lua = folder / f"{name}.lua"
    lua.write_text(load.WRK_LUA + RANDOM_LUA.replace("PATHS_FILE", str(listing)))
    numbers, _ = load.run_wrk(base + "/", settings, seconds, lua)
    return numbers


def measure(scenario: str, cache: str, base: str, paths: list[str], settings: load.Settings, folder: Path,
            warmup: int = 0) -> Run:
    background = load.background_cpu_percent()
    if warmup:
        wrk_run(base, paths, settings, warmup, folder, "warmup")
    numbers = wrk_run(base, paths, settings, settings.duration, folder, scenario.replace(" ", "-"))
    seconds = numbers["duration_us"] / 1e6
    errors = int(numbers["non2xx"] + numbers["connect_errors"] + numbers["read_errors"]
                 + numbers["write_errors"] + numbers["timeouts"])
    run = Run(
        scenario=scenario, cache=cache, urls=len(paths),
        rps=round(numbers["requests"] / seconds, 1) if seconds else 0.0,
        p50_ms=round(numbers["p50_us"] / 1000, 2), p99_ms=round(numbers["p99_us"] / 1000, 2),
        requests=int(numbers["requests"]), errors=errors,
        status_counts={k: int(numbers[f"status_{k}"]) for k in ("3xx", "4xx", "5xx")},
        background_cpu_percent=background,
    )
    flag = f"  !! {errors} errors {run.status_counts}" if errors else ""
    load.say(f"    {scenario:<22} {cache:<6} {run.rps:8.1f} req/s  p50 {run.p50_ms:6.1f} ms  p99 {run.p99_ms:7.1f} ms{flag}")
    return run


class Churn:
    """bench/churn.py in the background: stock changes and orders through the services."""

    def __init__(self, env: dict[str, str]) -> None:
        self.env = env
        self.process: subprocess.Popen[str] | None = None
        self.counts: dict = {}

    def __enter__(self) -> Churn:
        self.process = subprocess.Popen([sys.executable, str(BENCH_DIR / "churn.py")], cwd=load.REPO_ROOT, env=self.env,
                                        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, start_new_session=True)
        assert self.process.stdout is not None
        for line in self.process.stdout:  # wait until it is ready
            if line.startswith("churn: ready"):
                return self
        raise load.BenchError(f"churn.py stopped before it was ready (exit {self.process.wait()})")

    def __exit__(self, *exc: object) -> None:
        assert self.process is not None
        self.process.send_signal(signal.SIGTERM)
        try:
            out, _ = self.process.communicate(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            out, _ = self.process.communicate()
        for line in (out or "").splitlines():
            if line.startswith("CHURN_JSON "):
                self.counts = json.loads(line.removeprefix("CHURN_JSON "))


def shop_runs(cache: str, env: dict[str, str], settings: load.Settings, folder: Path, products: list[str],
              catalogue: list[str], only: str = "abcd") -> list[Run]:
    if cache == "redis":
        load.say(f"==> cleared {load.clear_redis_cache()} cached keys in {load.REDIS_URL}")
    runs = []
    with load.gunicorn_server(settings, env, folder) as base:
        if "c" in only:
            runs.append(measure("c cold products", cache, base, products, settings, folder))
        if "d" in only:
            for name, path in (("d single home", "/"), ("d single catalogue", "/products"), ("d single product", products[0])):
                runs.append(measure(name, cache, base, [path], settings, folder, warmup=settings.warmup))
        if settings.warmup and ("a" in only or "b" in only):
            warm(base, products + catalogue)
        if "a" in only:
            runs.append(measure("a random products", cache, base, products, settings, folder))
            runs.append(measure("a random catalogue", cache, base, catalogue, settings, folder))
        if "b" in only:
            with Churn(env) as churn:
                busy = [measure("b busy products", cache, base, products, settings, folder),
                        measure("b busy catalogue", cache, base, catalogue, settings, folder)]
            for run in busy:
                run.extra["churn"] = churn.counts
            load.say(f"    churn: {churn.counts}")
            runs += busy
    if cache == "redis":
        load.clear_redis_cache()
    return runs


def hello_run(settings: load.Settings, folder: Path, label: str) -> Run:
    env = dict(os.environ, PYTHONUNBUFFERED="1")
    with load.gunicorn_server(settings, env, folder, app="hello_app:app", chdir=BENCH_DIR, health="/") as base:
        return measure(f"bare hello {label}", "-", base, ["/"], settings, folder, warmup=1)


def judge(runs: list[Run]) -> float:
    ceiling = max(r.rps for r in runs if r.scenario.startswith("bare hello"))
    for run in runs:
        run.share = round(run.rps / ceiling, 3) if ceiling else 0.0
        aim = AIMS.get((run.scenario, run.cache))
        if aim:
            least, p99 = aim
            met = run.share >= least and (p99 is None or run.p99_ms < p99) and not run.errors
            run.aim = ("MET" if met else "NOT MET") + f" (>= {least}" + (f", p99 < {p99:.0f} ms)" if p99 else ")")
    return ceiling


def report(runs: list[Run], ceiling: float) -> None:
    load.say("")
    load.say(f"{'scenario':<22} {'cache':<6} {'urls':>5} {'req/s':>8} {'p50 ms':>7} {'p99 ms':>8} {'share':>6} {'errors':>6}  aim")
    for r in runs:
        load.say(f"{r.scenario:<22} {r.cache:<6} {r.urls:>5} {r.rps:>8.1f} {r.p50_ms:>7.1f} {r.p99_ms:>8.1f} "
                 f"{r.share:>6.3f} {r.errors:>6}  {r.aim}")
    load.say(f"\nceiling (bare Flask hello, faster of first and last): {ceiling:.0f} req/s")


def parse_args(argv: Sequence[str] | None) -> tuple[load.Settings, list[str], str]:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pg", default=load.DEFAULT_PG)
    parser.add_argument("--duration", type=int, help="seconds per run (default 8; 3 with --quick)")
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--products", type=int, help="products in the catalogue (default 5000; 1000 with --quick)")
    parser.add_argument("--workers", type=int, default=3)
    parser.add_argument("--cache", choices=("both", "redis", "worker"), default="both")
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--only", default="abcd", help="the scenarios to run, by letter (default abcd: all; "
                        "cd: the cold start and the single-URL pages)")
    parser.add_argument("--no-warm", action="store_true", help="no warm-up: neither the untimed visit of every "
                        "address before (a) nor the 1 s before each (d)")
    args = parser.parse_args(argv)
    settings = load.Settings(pg=args.pg, duration=args.duration or (3 if args.quick else 8), connections=args.connections,
                             wrk_threads=2, warmup=0 if args.no_warm else 1, products=args.products or (1000 if args.quick else 5000),
                             workers=args.workers, worker_class="sync", threads=1, redis=False, rounds=1)
    caches = ["redis", "worker"] if args.cache == "both" else [args.cache]
    if not args.only or set(args.only) - set("abcd"):
        parser.error("--only takes the letters of the scenarios, a to d (for example: --only cd)")
    return settings, caches, args.only


def run(settings: load.Settings, caches: list[str], only: str = "abcd") -> int:
    started = datetime.now()
    load.check_tools()
    load.require_loopback(settings.pg, "--pg")
    folder = Path(tempfile.mkdtemp(prefix="relearn-traffic-"))
    runs: list[Run] = []
    try:
        with load.bench_database(settings.pg) as name:
            plain = load.database_url(settings.pg, name)
            env = load.app_environment(load.database_url(settings.pg, name, "postgresql+psycopg"), folder, redis=False)
            load.flask_command(["db", "upgrade"], env, "schema")
            load.flask_command(["seed-demo"], env, "demo data")
            load.flask_command(["scale-demo", "--products", str(settings.products)], env, "scale")
            load.analyse(plain)
            products = product_paths(plain)
            random.Random(7).shuffle(products)
            catalogue = catalogue_paths(plain)
            load.say(f"    {len(products)} product pages, {len(catalogue)} catalogue addresses")
            runs.append(hello_run(settings, folder, "first"))
            for cache in caches:
                cache_env = load.app_environment(env["DATABASE_URL"], folder, redis=cache == "redis")
                cache_env["SECRET_KEY"] = env["SECRET_KEY"]
                runs += shop_runs(cache, cache_env, settings, folder, products, catalogue, only)
            runs.append(hello_run(settings, folder, "last"))
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    ceiling = judge(runs)
    report(runs, ceiling)
    load.RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    path = load.RESULTS_DIR / f"traffic-{started:%Y%m%d-%H%M%S}.json"
    path.write_text(json.dumps({
        "started": started.isoformat(timespec="seconds"), "host": platform.node(), "cpus": os.cpu_count(),
        "load_before": os.getloadavg(), "settings": asdict(settings), "scenarios": only, "ceiling_rps": ceiling,
        "runs": [asdict(r) for r in runs],
    }, indent=2, ensure_ascii=False))
    load.say(f"results: {path.relative_to(load.REPO_ROOT)}")
    return 1 if any(r.errors for r in runs) else 0


def main(argv: Sequence[str] | None = None) -> int:
    settings, caches, only = parse_args(argv)
    signal.signal(signal.SIGTERM, load.raise_on_sigterm)
    try:
        return run(settings, caches, only)
    except load.BenchError as error:
        print(f"traffic.py: {error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("traffic.py: interrupted; cleaned up", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
