"""Report benchmark: the daily rollup (sales_daily) against full scans of the ledger (sales_entry).

Run by hand from the repo root, never in CI:

    .venv/bin/python bench/reports.py --quick            # 200,000 ledger lines, under a minute
    .venv/bin/python bench/reports.py                    # 10,000,000 ledger lines, several minutes
    .venv/bin/python bench/reports.py --rows 2000000     # any other size

What it does, all on 127.0.0.1 and all undone at the end (try/finally):

1. creates a throw-away PostgreSQL database `relearn_reports_<random>`, builds the schema
   (`flask --app run.py db upgrade`) and loads the nine centres (`seed-demo`), each as a
   subprocess from the repo root with this run's DATABASE_URL, INSTANCE_PATH and SECRET_KEY;
2. writes N ledger lines into sales_entry with server-side SQL (`INSERT ... SELECT ... FROM
   generate_series`, in batches of 1,000,000), spread over 2020-01-01..2026-11-30, the nine
   centres and the shop's channels; about 90% sales, 5% refunds (negative), 5% offline sales;
3. builds sales_daily from the ledger in one `INSERT ... SELECT ... GROUP BY`, the same sums the
   app keeps current row by row, then `VACUUM ANALYZE` on both tables;
4. times four reports both ways in the same run, a median of 5 runs after 1 warm-up each:
   through the app (`shop.services.sales.reports.totals` / `breakdown` in a real Flask app context,
   which read sales_daily) and as a plain full scan of sales_entry; checks that both give the
   same satang (and units) for every group;
5. prints a table and a verdict per report: OK when the rollup answers in 50 ms or less, at
   least 10x faster than the scan, with identical figures; else BELOW AIM (with the rollup's
   EXPLAIN ANALYZE); writes everything to bench/results/reports-<timestamp>.json;
6. drops the database.

Exit status: 0 when every report gave the same figures both ways, 1 when some figure differs,
2 when the benchmark could not run (no PostgreSQL, a setup step failed, an INTEGER overflow).
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import signal
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from datetime import date, datetime
from pathlib import Path
from types import FrameType
from typing import Any

REPO_ROOT = Path(__file__).resolve().parent.parent
if str(REPO_ROOT) not in sys.path:  # run as `python bench/reports.py`: make `shop` importable
    sys.path.insert(0, str(REPO_ROOT))

from shop.models.sales import CHANNELS, OFFLINE_CHANNELS, REVENUE_KINDS  # noqa: E402

sys.path.insert(0, str(REPO_ROOT / "bench"))
# The database, environment and flask helpers are bench/load.py's, shared by every benchmark.
from load import (  # noqa: E402
    BenchError,
    app_environment,
    bench_database,
    database_url,
    flask_command,
    require_loopback,
    say,
)

RESULTS_DIR = REPO_ROOT / "bench" / "results"
LOOPBACK = "127.0.0.1"
DEFAULT_PG = f"postgresql://postgres@{LOOPBACK}:5432/postgres"

FIRST_DAY = date(2020, 1, 1)  # the programme's start (reports.PROGRAMME_START)
LAST_DAY = date(2026, 11, 30)
DEFAULT_ROWS = 10_000_000
QUICK_ROWS = 200_000
BATCH_ROWS = 1_000_000
AMOUNT_MIN, AMOUNT_MAX = 5_000, 500_000  # satang: ฿50 .. ฿5,000 a line
UNITS_MAX = 5
SALE_SHARE, REFUND_SHARE = 0.90, 0.05  # the rest (5%) are offline sales
SEED = 0.2563  # setseed(): the same ledger every run of the same size

INT4_MAX = 2**31 - 1  # sales_daily's columns are INTEGER
AIM_MS = 50.0  # a report read from the rollup should answer within this
AIM_SPEEDUP = 10.0  # ... and be at least this many times faster than scanning the ledger
BUSY_PERCENT = 15.0  # CPU used by other programs before timing, above which numbers are noisy

ONLINE = "online_shop"
# Every channel a sale can be in; "before_shop" only ever holds the baselines of earlier years.
LEDGER_CHANNELS = tuple(c for c in CHANNELS if c != "before_shop")
KIND_LIST = "(" + ", ".join(f"'{kind}'" for kind in REVENUE_KINDS) + ")"  # constants, not input


@dataclass(frozen=True)
class Settings:
    pg: str
    rows: int
    quick: bool
    runs: int
    warmups: int


Figures = dict[str, tuple[int, int]]  # group key -> (revenue satang, units)


@dataclass
class LoadInfo:
    rows: int = 0
    load_seconds: float = 0.0
    rows_per_second: float = 0.0
    rollup_rows: int = 0
    rollup_seconds: float = 0.0
    vacuum_seconds: float = 0.0
    max_cell_revenue_satang: int = 0  # the largest |sales_daily.revenue_satang|: headroom under INT4_MAX
    max_cell_units: int = 0
    ledger_size: str = ""
    rollup_size: str = ""
    kinds: dict[str, int] = field(default_factory=dict)


@dataclass
class ReportResult:
    name: str
    app_call: str
    scan_sql: str
    groups: int = 0
    rollup_runs_ms: list[float] = field(default_factory=list)
    scan_runs_ms: list[float] = field(default_factory=list)
    rollup_ms: float = 0.0
    scan_ms: float = 0.0
    speedup: float = 0.0
    same_satang: bool = False
    same_units: bool = False
    differences: list[str] = field(default_factory=list)
    verdict: str = ""
    rollup_plan: str = field(default="", repr=False)
    scan_plan: str = field(default="", repr=False)

    @property
    def identical(self) -> bool:
        return self.same_satang and self.same_units


# --------------------------------------------------------------------------- helpers


def median(values: Sequence[float]) -> float:
    return float(statistics.median(values)) if values else 0.0


def cpu_busy_percent(seconds: float = 1.0) -> float:
    """How busy all CPUs were over `seconds` (Linux /proc/stat; 0 where unavailable)."""

    def sample() -> tuple[int, int]:
        with open("/proc/stat") as stat:
            values = [int(v) for v in stat.readline().split()[1:]]
        idle = values[3] + (values[4] if len(values) > 4 else 0)
        return sum(values), idle

    try:
        total1, idle1 = sample()
        time.sleep(seconds)
        total2, idle2 = sample()
    except OSError:
        return 0.0
    total = total2 - total1
    return 100.0 * (total - (idle2 - idle1)) / total if total else 0.0


# --------------------------------------------------------------------------- PostgreSQL and flask


# --------------------------------------------------------------------------- the data

# One batch of ledger lines, made by the server. The innermost SELECT draws the random numbers
# (volatile, so PostgreSQL evaluates them once per row); the middle one turns them into a line
# the app could have written: sales and refunds in the online shop (refunds negative, amount
# and units), offline sales in one of the offline channels; the centre is joined in by number
# so that centre_id, province_code and region are the centre table's own.
LEDGER_BATCH_SQL = """
INSERT INTO sales_entry (day, kind, channel, centre_id, province_code, region, amount_satang, units, created_at)
SELECT l.day, l.kind, l.channel, c.id, c.province_code, c.region,
       l.sign * l.amount, l.sign * l.units,
       (l.day + time '12:00') AT TIME ZONE 'Asia/Bangkok'
FROM (
    SELECT %(first_day)s::date + floor(r.u_day * %(days)s)::int AS day,
           CASE WHEN r.u_kind < %(sale)s THEN 'sale'
                WHEN r.u_kind < %(sale_or_refund)s THEN 'refund'
                ELSE 'offline' END AS kind,
           CASE WHEN r.u_kind >= %(sale)s AND r.u_kind < %(sale_or_refund)s THEN -1 ELSE 1 END AS sign,
           CASE WHEN r.u_kind < %(sale_or_refund)s THEN %(online)s
                ELSE (%(offline_channels)s::text[])[1 + floor(r.u_channel * %(offline_count)s)::int] END AS channel,
           1 + floor(r.u_centre * %(centre_count)s)::int AS centre_no,
           %(amount_min)s + floor(r.u_amount * %(amount_span)s)::int AS amount,
           1 + floor(r.u_units * %(units_max)s)::int AS units
    FROM (
        SELECT random() AS u_day, random() AS u_kind, random() AS u_channel, random() AS u_centre,
               random() AS u_amount, random() AS u_units
        FROM generate_series(%(first)s::bigint, %(last)s::bigint) AS g
    ) AS r
) AS l
JOIN unnest(%(centre_ids)s::int[], %(provinces)s::text[], %(regions)s::text[])
     WITH ORDINALITY AS c(id, province_code, region, no) ON c.no = l.centre_no
"""

# The daily rollup from the ledger in one pass. The app keeps exactly these sums current row by
# row: every sale, refund, offline sale and baseline adds its sales_entry line and upserts the
# (day, centre, channel) row of sales_daily in the same transaction (ledger._bump), adding the
# revenue kinds to revenue_satang, shipping and shipping refunds to shipping_satang, the units,
# and one order per paid online parcel. The synthetic ledger has one line per order and no
# shipping, so orders is the number of sales and shipping stays 0. sum(integer) is bigint: a
# cell above 2^31-1 makes the INSERT fail with "integer out of range" (caught below).
ROLLUP_SQL = f"""
INSERT INTO sales_daily (day, centre_id, channel, revenue_satang, shipping_satang, units, orders)
SELECT day, centre_id, channel,
       coalesce(sum(amount_satang) FILTER (WHERE kind IN {KIND_LIST}), 0),
       coalesce(sum(amount_satang) FILTER (WHERE kind IN ('shipping', 'shipping_refund')), 0),
       coalesce(sum(units) FILTER (WHERE kind IN {KIND_LIST}), 0),
       count(*) FILTER (WHERE kind = 'sale' AND channel = '{ONLINE}')
FROM sales_entry
GROUP BY day, centre_id, channel
"""


def load_ledger(url: str, rows: int) -> LoadInfo:
    """N ledger lines in batches, each its own transaction, with progress; then the rollup."""
    import psycopg

    if ONLINE not in LEDGER_CHANNELS or not set(OFFLINE_CHANNELS) <= set(LEDGER_CHANNELS):
        raise BenchError(f"unexpected channels in shop.models.sales: {CHANNELS}")
    info = LoadInfo(rows=rows)
    with psycopg.connect(url, connect_timeout=5) as conn:
        centres = conn.execute("SELECT id, province_code, region FROM centre ORDER BY id").fetchall()
        if len(centres) != 9:
            raise BenchError(f"seed-demo should have made 9 centres, found {len(centres)}")
        conn.execute("SELECT setseed(%s)", (SEED,))
        conn.commit()
        params: dict[str, Any] = {
            "first_day": FIRST_DAY,
            "days": (LAST_DAY - FIRST_DAY).days + 1,
            "sale": SALE_SHARE,
            "sale_or_refund": SALE_SHARE + REFUND_SHARE,
            "online": ONLINE,
            "offline_channels": list(OFFLINE_CHANNELS),
            "offline_count": len(OFFLINE_CHANNELS),
            "centre_count": len(centres),
            "amount_min": AMOUNT_MIN,
            "amount_span": AMOUNT_MAX - AMOUNT_MIN + 1,
            "units_max": UNITS_MAX,
            "centre_ids": [c[0] for c in centres],
            "provinces": [c[1] for c in centres],
            "regions": [c[2] for c in centres],
        }
        say(f"==> ledger: {rows:,} lines into sales_entry, {FIRST_DAY}..{LAST_DAY}, "
            f"{len(centres)} centres, {len(LEDGER_CHANNELS)} channels, batches of {min(rows, BATCH_ROWS):,}")
        started = time.monotonic()
        done = 0
        while done < rows:
            last = min(rows, done + BATCH_ROWS)
            batch_started = time.monotonic()
            conn.execute(LEDGER_BATCH_SQL, {**params, "first": done + 1, "last": last})
            conn.commit()
            done = last
            elapsed = time.monotonic() - started
            say(f"    {done:>12,} / {rows:,} lines  (batch {time.monotonic() - batch_started:5.1f} s, "
                f"total {elapsed:6.1f} s, {done / elapsed:,.0f} lines/s)")
        info.load_seconds = time.monotonic() - started
        info.rows_per_second = rows / info.load_seconds if info.load_seconds else 0.0
        say(f"    loaded {rows:,} lines in {info.load_seconds:.1f} s")

        say("==> rollup: sales_daily from the ledger in one INSERT ... SELECT ... GROUP BY")
        started = time.monotonic()
        # This connection only: the one-off GROUP BY over the whole ledger then hashes its ~135,000
        # groups in memory instead of spilling to disk (71 s -> a few s at 10M lines). The reports
        # are timed on other connections, with the server's own settings.
        conn.execute("SET work_mem = '256MB'")
        try:
            result = conn.execute(ROLLUP_SQL)
        except psycopg.errors.NumericValueOutOfRange as exc:
            raise BenchError(
                "a per-day, per-centre, per-channel sum does not fit sales_daily's INTEGER columns "
                f"(max {INT4_MAX:,}); use smaller amounts or fewer rows, or widen the columns to BIGINT: {exc}"
            ) from exc
        conn.commit()
        info.rollup_rows = result.rowcount
        info.rollup_seconds = time.monotonic() - started
        row = conn.execute("SELECT coalesce(max(abs(revenue_satang)), 0), coalesce(max(abs(units)), 0) "
                           "FROM sales_daily").fetchone()
        assert row is not None
        info.max_cell_revenue_satang, info.max_cell_units = int(row[0]), int(row[1])
        say(f"    {info.rollup_rows:,} rollup rows in {info.rollup_seconds:.1f} s; the largest cell holds "
            f"{info.max_cell_revenue_satang:,} satang, {100 * info.max_cell_revenue_satang / INT4_MAX:.2f}% "
            f"of INTEGER's {INT4_MAX:,}")
        info.kinds = {str(k): int(n) for k, n in conn.execute(
            "SELECT kind, count(*) FROM sales_entry GROUP BY kind ORDER BY kind").fetchall()}

    # VACUUM cannot run inside a transaction block: its own autocommit connection.
    say("==> VACUUM ANALYZE sales_entry, sales_daily (fresh statistics and visibility map)")
    started = time.monotonic()
    with psycopg.connect(url, autocommit=True, connect_timeout=5) as conn:
        conn.execute("VACUUM (ANALYZE) sales_entry")
        conn.execute("VACUUM (ANALYZE) sales_daily")
        sizes = conn.execute("SELECT pg_size_pretty(pg_total_relation_size('sales_entry')), "
                             "pg_size_pretty(pg_total_relation_size('sales_daily'))").fetchone()
    assert sizes is not None
    info.ledger_size, info.rollup_size = str(sizes[0]), str(sizes[1])
    info.vacuum_seconds = time.monotonic() - started
    say(f"    ({info.vacuum_seconds:.1f} s) sales_entry {info.ledger_size}, sales_daily {info.rollup_size} "
        "with indexes")
    return info


# --------------------------------------------------------------------------- the reports


@dataclass(frozen=True)
class Report:
    name: str
    app_call: str  # what the app calls, for the table and the JSON
    rollup: Callable[[], Figures]  # through shop.services.sales.reports, in the app context
    scan_sql: str  # the same question asked of the ledger
    scan_params: dict[str, Any]
    month_keys: bool = False  # the scan's first two columns are year and month


def define_reports(centre_id: int, centre_slug: str) -> list[Report]:
    """The four reports; call inside the app context (the rollup closures use db.session)."""
    from shop.services.sales import reports

    everything = reports.Query(FIRST_DAY, LAST_DAY, None)
    one_centre = reports.Query(FIRST_DAY, LAST_DAY, (centre_id,))

    def figures(rows: Sequence[Any]) -> Figures:
        return {row.key: (row.revenue_satang, row.units) for row in rows}

    def total() -> Figures:
        return figures([reports.totals(everything)])

    def by_province() -> Figures:
        return figures(reports.breakdown(everything, "province"))

    def centre_by_month() -> Figures:
        return figures(reports.breakdown(one_centre, "month"))

    def by_channel() -> Figures:
        return figures(reports.breakdown(everything, "channel"))

    period = {"first": FIRST_DAY, "last": LAST_DAY}
    return [
        Report("programme total", "totals(Query(all))", total,
               f"SELECT 'total', coalesce(sum(amount_satang), 0), coalesce(sum(units), 0) "
               f"FROM sales_entry WHERE kind IN {KIND_LIST}", {}),
        Report("by province", "breakdown(q, 'province')", by_province,
               f"SELECT c.province_code, sum(e.amount_satang), sum(e.units) "
               f"FROM sales_entry e JOIN centre c ON c.id = e.centre_id "
               f"WHERE e.kind IN {KIND_LIST} AND e.day BETWEEN %(first)s AND %(last)s "
               f"GROUP BY c.province_code", period),
        Report(f"centre by month ({centre_slug})", f"breakdown(Query(.., ({centre_id},)), 'month')", centre_by_month,
               f"SELECT extract(year FROM day), extract(month FROM day), sum(amount_satang), sum(units) "
               f"FROM sales_entry WHERE centre_id = %(centre)s AND kind IN {KIND_LIST} "
               f"AND day BETWEEN %(first)s AND %(last)s GROUP BY 1, 2",
               {**period, "centre": centre_id}, month_keys=True),
        Report("by channel", "breakdown(q, 'channel')", by_channel,
               f"SELECT channel, sum(amount_satang), sum(units) FROM sales_entry "
               f"WHERE kind IN {KIND_LIST} AND day BETWEEN %(first)s AND %(last)s GROUP BY channel", period),
    ]


def scan_figures(rows: Sequence[Sequence[Any]], month_keys: bool) -> Figures:
    if month_keys:
        return {f"{int(r[0]):04d}-{int(r[1]):02d}": (int(r[2]), int(r[3])) for r in rows}
    return {str(r[0]): (int(r[1]), int(r[2])) for r in rows}


def timed(call: Callable[[], Figures], runs: int, warmups: int) -> tuple[Figures, list[float]]:
    """The figures of the last run and the milliseconds of each timed run (warm-ups not timed)."""
    result: Figures = {}
    for _ in range(warmups):
        result = call()
    times: list[float] = []
    for _ in range(runs):
        started = time.perf_counter()
        result = call()
        times.append((time.perf_counter() - started) * 1000)
    return result, times


def compare(rollup: Figures, scan: Figures) -> tuple[bool, bool, list[str]]:
    """(same satang, same units, the first few differences) over every group of either side."""
    differences: list[str] = []
    same_satang = same_units = True
    for key in sorted(set(rollup) | set(scan)):
        a, b = rollup.get(key), scan.get(key)
        if a is None or b is None or a[0] != b[0]:
            same_satang = False
        if a is None or b is None or a[1] != b[1]:
            same_units = False
        if a != b and len(differences) < 10:
            differences.append(f"{key}: rollup {a} vs scan {b} (satang, units)")
    return same_satang, same_units, differences


def run_reports(settings: Settings, env: dict[str, str], url: str) -> tuple[list[ReportResult], float]:
    """Each report through the app and as a scan, in the same run; plans kept for the JSON.

    Also returns how busy the CPUs were just before timing (other programs: the database is idle).
    """
    import psycopg
    from sqlalchemy import event, select

    os.environ.update(env)  # the app's Config reads the environment: this run's database only
    from shop import create_app
    from shop.extensions import db
    from shop.models.catalog import Centre

    app = create_app()
    results: list[ReportResult] = []
    busy = 0.0
    with app.app_context(), psycopg.connect(url, autocommit=True, connect_timeout=5) as scan_conn:
        captured: list[tuple[str, Any]] = []
        capturing = [False]

        def capture(_conn: Any, _cursor: Any, statement: str, parameters: Any, _context: Any, _many: bool) -> None:
            if capturing[0]:
                captured.append((statement, parameters))

        event.listen(db.engine, "before_cursor_execute", capture)
        try:
            centre = db.session.execute(select(Centre.id, Centre.slug).order_by(Centre.id).limit(1)).one()
            db.session.rollback()
            busy = cpu_busy_percent()
            if busy > BUSY_PERCENT:
                say(f"    warning: the CPUs were {busy:.0f}% busy before timing; the numbers may be noisy")
            for report in define_reports(int(centre.id), str(centre.slug)):
                say(f"==> {report.name}: {settings.warmups} warm-up + {settings.runs} timed runs each way")

                def through_app(call: Callable[[], Figures] = report.rollup) -> Figures:
                    try:
                        return call()
                    finally:
                        db.session.rollback()  # end the transaction, as the end of a request would

                def full_scan(sql: str = report.scan_sql, params: dict[str, Any] = report.scan_params,
                              months: bool = report.month_keys) -> Figures:
                    return scan_figures(scan_conn.execute(sql, params).fetchall(), months)

                capturing[0] = True
                captured.clear()
                rollup, rollup_times = timed(through_app, settings.runs, settings.warmups)
                capturing[0] = False
                scan, scan_times = timed(full_scan, settings.runs, settings.warmups)
                result = ReportResult(report.name, report.app_call, report.scan_sql)
                result.groups = len(rollup)
                result.rollup_runs_ms, result.scan_runs_ms = rollup_times, scan_times
                result.rollup_ms, result.scan_ms = median(rollup_times), median(scan_times)
                result.speedup = result.scan_ms / result.rollup_ms if result.rollup_ms else 0.0
                result.same_satang, result.same_units, result.differences = compare(rollup, scan)
                good = result.rollup_ms <= AIM_MS and result.speedup >= AIM_SPEEDUP and result.identical
                result.verdict = "OK" if good else "BELOW AIM"
                if captured:
                    statement, parameters = captured[-1]
                    result.rollup_plan = explain(db, statement, parameters)
                result.scan_plan = "\n".join(str(r[0]) for r in scan_conn.execute(
                    "EXPLAIN (ANALYZE, BUFFERS) " + report.scan_sql, report.scan_params).fetchall())
                say(f"    rollup {result.rollup_ms:8.1f} ms   full scan {result.scan_ms:9.1f} ms   "
                    f"{result.groups} groups   {'same' if result.identical else 'DIFFERENT'}")
                results.append(result)
        finally:
            event.remove(db.engine, "before_cursor_execute", capture)
            db.session.remove()
            db.engine.dispose()  # no pooled connection left on a database about to be dropped
    return results, busy


def explain(db: Any, statement: str, parameters: Any) -> str:
    """EXPLAIN ANALYZE of the last statement the app sent, with the parameters it sent."""
    try:
        connection = db.session.connection()
        rows = connection.exec_driver_sql("EXPLAIN (ANALYZE, BUFFERS) " + statement, parameters).fetchall()
        return "\n".join(str(r[0]) for r in rows)
    except Exception as exc:  # a plan is a help, never a reason to fail the run
        return f"(no plan: {exc})"
    finally:
        db.session.rollback()


# --------------------------------------------------------------------------- the report


def print_report(results: Sequence[ReportResult], settings: Settings, info: LoadInfo, busy: float) -> None:
    say("")
    say(f"Reports over {info.rows:,} ledger lines ({info.ledger_size}) and {info.rollup_rows:,} rollup rows "
        f"({info.rollup_size}); median of {settings.runs} runs after {settings.warmups} warm-up")
    say(f"aim: rollup <= {AIM_MS:.0f} ms, >= {AIM_SPEEDUP:.0f}x faster than the full scan, identical figures")
    say(f"CPUs {busy:.0f}% busy with other programs just before timing"
        + (" (noisy: compare runs made on a quiet machine only)" if busy > BUSY_PERCENT else ""))
    say("")
    header = (f"{'report':<32} {'groups':>6} {'rollup ms':>10} {'full-scan ms':>13} {'speed-up x':>11} "
              f"{'same satang':>11} {'same units':>10}  verdict")
    say(header)
    say("-" * len(header))
    for r in results:
        say(f"{r.name:<32} {r.groups:>6} {r.rollup_ms:>10.1f} {r.scan_ms:>13.1f} {r.speedup:>11.1f} "
            f"{'yes' if r.same_satang else 'NO':>11} {'yes' if r.same_units else 'NO':>10}  {r.verdict}")
    for r in results:
        if r.differences:
            say(f"\n{r.name}: figures differ")
            for line in r.differences:
                say(f"    {line}")
        if r.verdict != "OK":
            why = []
            if r.rollup_ms > AIM_MS:
                why.append(f"{r.rollup_ms:.1f} ms > {AIM_MS:.0f} ms")
            if r.speedup < AIM_SPEEDUP:
                why.append(f"only {r.speedup:.1f}x faster")
            if not r.identical:
                why.append("figures differ")
            say(f"\n{r.name}: BELOW AIM ({'; '.join(why)}). The rollup's plan:")
            for line in (r.rollup_plan or "(none captured)").splitlines():
                say(f"    {line}")


def write_json(results: Sequence[ReportResult], settings: Settings, info: LoadInfo, busy: float,
               started: datetime, server_version: str) -> Path:
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    path = RESULTS_DIR / f"reports-{started:%Y%m%d-%H%M%S}.json"
    document = {
        "benchmark": "reports",
        "started": started.isoformat(timespec="seconds"),
        "settings": asdict(settings),
        "aim": {"rollup_ms_max": AIM_MS, "speedup_min": AIM_SPEEDUP},
        "data": {"first_day": FIRST_DAY.isoformat(), "last_day": LAST_DAY.isoformat(),
                 "amount_satang": [AMOUNT_MIN, AMOUNT_MAX], "units": [1, UNITS_MAX],
                 "channels": list(LEDGER_CHANNELS), "seed": SEED},
        "load": asdict(info),
        "background_cpu_percent": round(busy, 1),
        "reports": [asdict(r) | {"identical": r.identical} for r in results],
        "machine": {"python": platform.python_version(), "platform": platform.platform(),
                    "cpus": os.cpu_count(), "postgresql": server_version},
    }
    path.write_text(json.dumps(document, indent=2, ensure_ascii=False) + "\n")
    return path


# --------------------------------------------------------------------------- main


def parse_args(argv: Sequence[str] | None) -> Settings:
    parser = argparse.ArgumentParser(description="Time the reports: daily rollup vs full scans of the ledger.")
    parser.add_argument("--rows", type=int, help=f"ledger lines to load (default {DEFAULT_ROWS:,}; "
                                                 f"{QUICK_ROWS:,} with --quick)")
    parser.add_argument("--quick", action="store_true", help=f"{QUICK_ROWS:,} ledger lines, for trying it")
    parser.add_argument("--runs", type=int, default=5, help="timed runs per report and way (default 5)")
    parser.add_argument("--warmups", type=int, default=1, help="untimed runs first (default 1)")
    parser.add_argument("--pg", default=DEFAULT_PG, help=f"PostgreSQL server on {LOOPBACK} (default {DEFAULT_PG})")
    args = parser.parse_args(argv)
    rows = args.rows if args.rows is not None else (QUICK_ROWS if args.quick else DEFAULT_ROWS)
    if rows < 1 or args.runs < 1 or args.warmups < 0:
        parser.error("--rows and --runs must be at least 1, --warmups at least 0")
    return Settings(pg=args.pg, rows=rows, quick=args.quick, runs=args.runs, warmups=args.warmups)


def raise_on_sigterm(_signum: int, _frame: FrameType | None) -> None:
    raise KeyboardInterrupt  # so that the finally blocks drop the database


def server_version(url: str) -> str:
    import psycopg

    with psycopg.connect(url, connect_timeout=5) as conn:
        row = conn.execute("SHOW server_version").fetchone()
    return str(row[0]) if row else ""


def run(settings: Settings) -> int:
    started = datetime.now()
    require_loopback(settings.pg, "--pg")
    instance = Path(tempfile.mkdtemp(prefix="relearn-reports-"))
    try:
        with bench_database(settings.pg) as name:
            url = database_url(settings.pg, name)
            env = app_environment(database_url(settings.pg, name, "postgresql+psycopg"), instance, redis=False)
            flask_command(["db", "upgrade"], env, "schema")
            flask_command(["seed-demo"], env, "nine centres")
            info = load_ledger(url, settings.rows)
            results, busy = run_reports(settings, env, url)
            version = server_version(url)
    finally:
        shutil.rmtree(instance, ignore_errors=True)
    print_report(results, settings, info, busy)
    path = write_json(results, settings, info, busy, started, version)
    say(f"\nresults: {path.relative_to(REPO_ROOT)}")
    return 0 if all(r.identical for r in results) else 1


def main(argv: Sequence[str] | None = None) -> int:
    settings = parse_args(argv)
    signal.signal(signal.SIGTERM, raise_on_sigterm)
    try:
        return run(settings)
    except BenchError as error:
        print(f"reports.py: {error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("reports.py: interrupted; cleaned up", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
