"""Junk on every form: no answer is a 5xx, and stock and the sales ledger still reconcile.

Every CSRF-protected POST route comes from `app.url_map`, so a new form is fuzzed without being
listed here. Each is posted to as a signed-in customer, as centre staff and as an admin, with a
valid CSRF token. Field names come from the real forms on the pages that role can reach (found
by following links from every page without URL variables), plus random names. URL variables get
the real values seen in those links and forms, and junk: 0, 2147483648, 99999999999, "²"...
Values are the odd inputs people and scripts send: unicode digits, huge and negative numbers,
decimals, empty and very long strings, Thai text, CR/LF, control characters.

Hypothesis runs a fixed number of examples per route and role from a fixed seed (one per route
and role), so the run is bounded and makes the same choices every time. The figures (requests, answers by status, 5xx with their
tracebacks) are printed (`-s`) and written to test-artifacts/fuzz-forms-<backend>.json.
"""
from __future__ import annotations

import io
import json
import logging
import os
import re
import time
import traceback
import zlib
from collections import Counter
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import quote, urlsplit

import pytest
from hypothesis import HealthCheck, Phase, given, seed, settings
from hypothesis import strategies as st
from PIL import Image
from sqlalchemy import case, func, select
from werkzeug.routing.converters import NumberConverter

from shop.extensions import csrf, db, limiter
from shop.models import (
    BoothSale,
    ConsignmentReport,
    LocationStock,
    OfflineSale,
    Order,
    OrderLine,
    ProductImage,
    RefundLine,
    SalesDaily,
    SalesEntry,
    Shipment,
    StockMovement,
    User,
    Variant,
)
from shop.models.sales import REVENUE_KINDS
from shop.services.locations import places, stock
from shop.services.ordering import checkout, fulfilment, lifecycle
from shop.services.people import accounts
from tests.conftest import examples
from tests.factories import cart_with, make_centre, make_product, place
from tests.web.helpers import ADDRESS, CSRF

PASSWORD = "fuzz password 1"
# FUZZ_EXAMPLES=100 for a long run (TEST_DEPTH=deep: 60)
EXAMPLES_PER_ROUTE_AND_ROLE = int(os.environ.get("FUZZ_EXAMPLES", examples(6)))
PAGES_PER_RULE = 2  # pages crawled per GET route (e.g. two product pages), per role
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"

# --- Junk -------------------------------------------------------------------------------------

UNICODE_DIGITS = ["²", "①", "٣", "๓", "１２", "߁", "໓", "𝟗", "²①"]
NUMBERS = [
    "0", "1", "-1", "+5", " 7 ", "007", "0x10", "1e3", "1e309", "NaN", "inf", "-0",
    "2147483647", "2147483648", "-2147483649", "4294967296", "9223372036854775808", "99999999999",
    "9" * 40, "-" + "9" * 40,
]
DECIMALS = ["1.5", "0.001", "-0.5", ".5", "5.", "1,250.50", "1,2,3", "21474836.47", "21474836.48",
            "99999999999.99", "10000000.01", "฿100", "๑๒๓.๔๕", "1.2.3", "1 000"]
TEXTS = [
    "", " ", "\t", "สวัสดีครับ ผ้ามัดย้อมจากใบไม้", "ก" * 3000, "x" * 10_000, "😀" * 200,
    "/\r\nLocation: https://evil.example", "a\r\nb", "\r", "\n", "\x01\x02\x1f\x7f", "\u202eevil", "\ufeff",
    "\u200b", "<script>alert(1)</script>", "' OR 1=1 --", "%00", "../../etc/passwd", "//evil.example",
    "https://evil.example/", "2026-02-30", "2026-01-01", "9999-12-31", "0001-01-01", "1969-12-31",
    "a@b.c", "ADMIN@TLA.EXAMPLE", "on", "true", "null", "[]", "{}",
]
JUNK_WORDS = UNICODE_DIGITS + NUMBERS + DECIMALS + TEXTS
junk_text = st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",), exclude_characters="\x00"), max_size=60)
junk_value = st.one_of(
    st.sampled_from(JUNK_WORDS),
    junk_text,
    st.integers(min_value=-(2**70), max_value=2**70).map(str),
    st.decimals(allow_nan=False, allow_infinity=False, places=3, min_value=-(10**12), max_value=10**12).map(str),
)
junk_name = st.one_of(
    st.sampled_from(["id", "next", "back", "remove", "centre_id", "variant_id", "quantity", "qty-1", "ship-1",
                     "restock", "amount", "day", "channel", "sku-1", "token", "lang", "submit"]),
    st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",), exclude_characters="\x00"), min_size=1, max_size=20),
)
PLAUSIBLE = ["1", "5", "100", "250.50", "2026-01-15", "Test", "ผ้ามัดย้อม", "new-centre", "NEW-SKU-1",
             "someone@example.com", "0812345678", "a long enough password"]
INT_JUNK = ["0", "2147483647", "2147483648", "99999999999", "9223372036854775808", "9" * 30]
STR_JUNK = ["²", "x", "0", "2147483648", "ก" * 50, "a b", "%0d%0aX", "..", "x" * 300]


def _png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (8, 8), "green").save(out, "PNG")
    return out.getvalue()


def csv_upload(skus: list[str], centre_slugs: list[str]):
    """A CSV with the headers the shop reads (stock counts and baselines), rows of junk."""
    cell = st.one_of(st.sampled_from(skus + centre_slugs + ["2021", "2020", "5", "0"]), junk_value)
    header = st.sampled_from(["sku,on_hand", "centre,year,amount_baht", "sku,on_hand,extra", "", "\ufeffsku,on_hand"])
    row = st.lists(cell, min_size=0, max_size=4).map(lambda cells: ",".join(c.replace(",", " ").replace("\n", " ") for c in cells))
    return st.builds(lambda h, rows, enc: ("\n".join([h, *rows])).encode(enc, errors="replace"),
                     header, st.lists(row, max_size=6), st.sampled_from(["utf-8", "utf-8", "cp874", "utf-16"]))


def file_value(skus, centre_slugs):
    contents = st.one_of(csv_upload(skus, centre_slugs), st.binary(max_size=300), st.just(_png()), st.just(b""))
    return st.tuples(contents, st.sampled_from(["f.csv", "photo.png", "ผ้า.jpg", "", "x" * 300]))


# --- Reading forms and links off the pages ------------------------------------------------------

@dataclass
class Form:
    action: str  # path and query, as the page had it
    fields: dict[str, list[str]] = field(default_factory=dict)  # name -> the values the page offers
    files: set[str] = field(default_factory=set)


class PageParser(HTMLParser):
    def __init__(self, page_url: str):
        super().__init__(convert_charrefs=True)
        self.page_url = page_url
        self.links: list[str] = []
        self.forms: list[Form] = []
        self._form: Form | None = None
        self._select: str | None = None
        self._text: str | None = None

    def handle_starttag(self, tag, attrs):
        a = {k: v or "" for k, v in attrs}
        if tag == "a" and a.get("href", "").startswith("/"):
            self.links.append(a["href"])
        elif tag == "form":
            post = a.get("method", "get").lower() == "post"
            self._form = Form(a.get("action") or self.page_url) if post else None
        elif self._form is None:
            return
        elif tag in {"input", "button"} and a.get("name"):
            if a.get("type") == "file":
                self._form.files.add(a["name"])
            elif a["name"] != "csrf_token":
                self._form.fields.setdefault(a["name"], []).append(a.get("value", "on" if a.get("type") == "checkbox" else ""))
        elif tag == "textarea" and a.get("name"):
            self._text = a["name"]
            self._form.fields.setdefault(a["name"], []).append("")
        elif tag == "select" and a.get("name"):
            self._select = a["name"]
            self._form.fields.setdefault(a["name"], [])
        elif tag == "option" and self._select:
            options = self._form.fields[self._select]
            # The page's current value comes first: the selected option, else the first one.
            options.insert(0, a.get("value", "")) if "selected" in a else options.append(a.get("value", ""))

    def handle_data(self, data):
        if self._form is not None and self._text:
            self._form.fields[self._text][-1] += data

    def handle_endtag(self, tag):
        if tag == "form" and self._form is not None:
            self.forms.append(self._form)
            self._form = None
        elif tag == "select":
            self._select = None
        elif tag == "textarea":
            self._text = None


@dataclass
class Site:
    """What a role can see: the forms per POST rule, and real values of URL variables."""

    forms: dict[str, list[Form]] = field(default_factory=dict)
    url_values: dict[str, dict[str, None]] = field(default_factory=dict)  # in the order first seen
    pages: int = 0


def _skip_page(rule) -> bool:
    # Files, JSON, and GETs that change the session or call out (language switch, Stripe return).
    return rule.endpoint in {"static", "storefront.media", "storefront.set_language", "storefront.order_paid"} or \
        rule.rule.endswith(".csv") or rule.rule.startswith("/api/")


def crawl(app, client, seeds: list[str]) -> Site:
    """Every GET page without URL variables, the seeds, and the pages they link to (a few per route)."""
    adapter = app.url_map.bind("localhost")
    site = Site()
    queue = [r.rule for r in app.url_map.iter_rules() if "GET" in r.methods and not r.arguments and not _skip_page(r)]
    queue += seeds
    seen_urls: set[str] = set()
    per_rule: Counter = Counter()
    while queue:
        url = queue.pop(0)
        path = urlsplit(url).path
        try:
            rule, args = adapter.match(path, method="GET", return_rule=True)
        except Exception:  # noqa: BLE001 - not a page of ours
            continue
        if url in seen_urls or _skip_page(rule) or (per_rule[rule.rule] >= PAGES_PER_RULE and url not in seeds):
            continue
        seen_urls.add(url)
        per_rule[rule.rule] += 1
        _remember(site, args)
        response = client.get(url)
        site.pages += 1
        assert response.status_code < 500, f"GET {url} answered {response.status_code}"
        if response.status_code != 200 or "html" not in response.mimetype:
            continue
        parser = PageParser(url)
        parser.feed(response.get_data(as_text=True))
        queue += parser.links
        for form in parser.forms:
            try:
                post_rule, post_args = adapter.match(urlsplit(form.action).path, method="POST", return_rule=True)
            except Exception:  # noqa: BLE001 - a form to somewhere else
                continue
            _remember(site, post_args)
            site.forms.setdefault(post_rule.rule, []).append(form)
    return site


def _remember(site: Site, args: dict) -> None:
    for name, value in args.items():
        site.url_values.setdefault(name, {})[str(value)] = None


def form_routes(app) -> list:
    """Every POST route that takes a CSRF token: the forms of every blueprint, now and later."""
    exempt_blueprints = {name for name, bp in app.blueprints.items() if bp in csrf._exempt_blueprints}
    routes = []
    for rule in app.url_map.iter_rules():
        view = app.view_functions[rule.endpoint]
        exempt = rule.endpoint.rpartition(".")[0] in exempt_blueprints or \
            f"{view.__module__}.{view.__name__}" in csrf._exempt_views
        if "POST" in rule.methods and not exempt:
            routes.append(rule)
    return sorted(routes, key=lambda r: (r.rule, r.endpoint))


# --- Checks -----------------------------------------------------------------------------------

def reconciliation_problems() -> list[str]:
    """Stock equals its movements; the daily rollup equals the ledger; the ledger equals its sources."""
    db.session.rollback()  # read what the requests committed
    problems = []
    moves = (select(StockMovement.variant_id, func.sum(StockMovement.on_hand_delta).label("on_hand"),
                    func.sum(StockMovement.reserved_delta).label("reserved"))
             .where(StockMovement.location_id.is_(None))  # the home shelf; locations are checked below
             .group_by(StockMovement.variant_id).subquery())
    for sku, on_hand, reserved, moved_on_hand, moved_reserved in db.session.execute(
        select(Variant.sku, Variant.stock_on_hand, Variant.stock_reserved, func.coalesce(moves.c.on_hand, 0),
               func.coalesce(moves.c.reserved, 0)).outerjoin(moves, moves.c.variant_id == Variant.id)
    ):
        if (on_hand, reserved) != (moved_on_hand, moved_reserved):
            problems.append(f"{sku}: stock {on_hand}/{reserved} held, movements say {moved_on_hand}/{moved_reserved}")
        if on_hand < 0 or reserved < 0 or reserved > on_hand:
            problems.append(f"{sku}: impossible stock {on_hand} on hand, {reserved} held")
    for row in db.session.scalars(select(LocationStock)):
        moved = db.session.scalar(select(func.coalesce(func.sum(StockMovement.on_hand_delta), 0)).where(
            StockMovement.variant_id == row.variant_id, StockMovement.location_id == row.location_id))
        if moved != row.on_hand or row.on_hand < 0:
            problems.append(f"location {row.location_id} variant {row.variant_id}: {row.on_hand} held, movements say {moved}")
    # Per order too: no order holds fewer than zero units (a unit released twice takes another
    # order's hold), and a cancelled or expired order holds none.
    for number, status, variant_id, held in db.session.execute(
        select(Order.number, Order.status, StockMovement.variant_id, func.sum(StockMovement.reserved_delta))
        .join(Order, Order.id == StockMovement.order_id).group_by(Order.number, Order.status, StockMovement.variant_id)
    ):
        if held < 0 or (held and status in {"cancelled", "expired"}):
            problems.append(f"order {number} ({status}) holds {held} units of variant {variant_id}")

    e = SalesEntry
    shipping_kinds = ("shipping", "shipping_refund")
    from_ledger = {
        (day, centre, channel): tuple(int(v or 0) for v in sums)
        for day, centre, channel, *sums in db.session.execute(
            select(e.day, e.centre_id, e.channel,
                   func.sum(case((e.kind.in_(REVENUE_KINDS), e.amount_satang), else_=0)),
                   func.sum(case((e.kind.in_(shipping_kinds), e.amount_satang), else_=0)),
                   func.sum(e.units),
                   func.count(func.distinct(case((e.kind == "sale", e.order_id)))))
            .group_by(e.day, e.centre_id, e.channel))
    }
    d = SalesDaily
    rollup = {(day, centre, channel): (int(r), int(s), int(u), int(o)) for day, centre, channel, r, s, u, o in db.session.execute(
        select(d.day, d.centre_id, d.channel, d.revenue_satang, d.shipping_satang, d.units, d.orders))}
    for key in sorted(set(from_ledger) | set(rollup), key=str):
        if from_ledger.get(key, (0, 0, 0, 0)) != rollup.get(key, (0, 0, 0, 0)):
            problems.append(f"sales_daily {key}: rollup {rollup.get(key)} but ledger {from_ledger.get(key)}")

    paid = db.session.scalar(select(func.coalesce(func.sum(OrderLine.line_total_satang), 0)).join(Order).where(Order.status == "paid"))
    refunded = db.session.scalar(select(func.coalesce(func.sum(RefundLine.amount_satang), 0)))
    offline = db.session.scalar(select(func.coalesce(func.sum(OfflineSale.amount_satang), 0)))
    baselines = db.session.scalar(select(func.coalesce(func.sum(e.amount_satang), 0)).where(e.kind == "baseline"))
    offline += db.session.scalar(select(func.coalesce(func.sum(BoothSale.total_satang), 0)))
    offline += db.session.scalar(select(func.coalesce(func.sum(ConsignmentReport.gross_satang), 0)))
    revenue = db.session.scalar(select(func.coalesce(func.sum(e.amount_satang), 0)).where(e.kind.in_(REVENUE_KINDS)))
    if int(revenue) != int(paid) - int(refunded) + int(offline) + int(baselines):
        problems.append(f"ledger revenue {revenue} != paid lines {paid} - refunds {refunded} + offline {offline} + baselines {baselines}")
    db.session.rollback()
    return problems


class ErrorLog(logging.Handler):
    """Keeps the tracebacks the app logs for its 500 answers."""

    def __init__(self):
        super().__init__(logging.ERROR)
        self.records: list[logging.LogRecord] = []

    def emit(self, record):
        self.records.append(record)


def summarise(record: logging.LogRecord | None) -> str:
    if record is None or not record.exc_info:
        return "(no traceback logged)"
    exc_type, exc, tb = record.exc_info
    frames = [f for f in traceback.extract_tb(tb) if "/shop/" in f.filename] or traceback.extract_tb(tb)[-1:]
    where = frames[-1]
    message = (str(exc).strip().splitlines() or [""])[0][:160]
    return f"{exc_type.__name__}: {message} at {Path(where.filename).name}:{where.lineno} {where.name}()"


# --- The world and its people ---------------------------------------------------------------

def make_user(email, role, centre=None) -> User:
    user = User(email=email, name=email.split("@")[0], role=role, centre_id=centre.id if centre else None)
    user.set_password(PASSWORD)
    db.session.add(user)
    db.session.commit()
    return user


@pytest.fixture
def world(app):
    """Two centres with products, a photo, paid (one parcel shipped) and unpaid orders; a customer,
    staff of one centre and an admin."""
    surat = make_centre("surat", province_code="84", region="south", shipping_fee_satang=5000)
    lampang = make_centre("lampang", province_code="52", province_en="Lampang", region="north")
    cloth = make_product(surat, slug="cloth", prices=(65000, 12050), stock=(40, 40))
    rooster = make_product(lampang, slug="rooster", prices=(25000,), stock=40)
    db.session.add(ProductImage(product_id=cloth.id, filename="aa/a.jpg", thumb_filename="aa/a-t.jpg", width=40, height=40))
    people = {
        "customer": make_user("customer@fuzz.example", "customer"),
        "staff": make_user("staff@fuzz.example", "staff", surat),
        "admin": make_user("admin@fuzz.example", "admin"),
    }
    make_user("lampang@fuzz.example", "staff", lampang)
    orders = []
    for items, paid in [(((cloth.variants[0].id, 2), (rooster.variants[0].id, 1)), True),
                        (((cloth.variants[1].id, 1),), True), (((cloth.variants[0].id, 1),), False),
                        (((rooster.variants[0].id, 1),), False)]:
        order = place(cart_with(*items), user_id=people["customer"].id)
        if paid:
            lifecycle.record_payment(order.id, method="promptpay_transfer", reference=f"T{order.id}", amount_satang=order.total_satang)
        orders.append(order)
    first_parcel = db.session.scalar(select(Shipment).where(Shipment.order_id == orders[0].id, Shipment.centre_id == surat.id))
    fulfilment.mark_packed(people["staff"], first_parcel.id)
    fulfilment.mark_shipped(people["staff"], first_parcel.id, "Thailand Post", "EF123456789TH")
    for kind in ("fair", "consignment"):  # a booth and a store counter with stock, so their forms are found and fuzzed
        location = places.create_location(people["staff"], None, places.LocationDetails(kind=kind, name_th=f"{kind} ทดสอบ",
                                                                                         commission_bp=2000))
        stock.move_stock(people["staff"], None, None, location.id, [(cloth.variants[0].id, 5)], "fuzz")
    return {"people": people, "orders": orders, "skus": [v.sku for p in (cloth, rooster) for v in p.variants],
            "centres": ["surat", "lampang"]}


@dataclass
class Visitor:
    """A signed-in person. Each fuzz request goes out from a copy of their cookie, so a request that
    signs out, signs in as someone else or piles up flashed messages leaves their session as it was."""

    role: str
    user_id: int
    email: str
    client: object
    token: str = ""
    lang: str = "th"
    account: dict = field(default_factory=dict)

    def probe(self, app):
        name = app.config["SESSION_COOKIE_NAME"]
        probe = app.test_client()
        probe.set_cookie(name, self.client.get_cookie(name).value)
        return probe


def account_row(user_id: int) -> dict:
    db.session.rollback()
    return dict(db.session.execute(select(User.__table__).where(User.id == user_id)).one()._mapping)


def sign_in(app, visitor: Visitor) -> None:
    """(Again) a signed-in visitor with a cart, checkout details and a fresh CSRF token."""
    client = visitor.client
    limiter.reset()  # the fuzz itself posts to sign-in; its limit must not lock the fuzzer out
    token = CSRF.search(client.get("/account/sign-in").get_data(as_text=True)).group(1)
    response = client.post("/account/sign-in", data={"csrf_token": token, "email": visitor.email, "password": PASSWORD})
    assert response.status_code == 303, f"{visitor.role} cannot sign in: {response.status_code}"
    page = client.get("/products/cloth").get_data(as_text=True)
    variant_id = re.search(r'name="variant_id"[^>]*>\s*<option value="(\d+)"', page).group(1)
    token = CSRF.search(page).group(1)
    client.post("/cart/add", data={"csrf_token": token, "variant_id": variant_id, "quantity": "1"})
    client.post("/checkout", data={"csrf_token": token, **ADDRESS})
    visitor.token, visitor.lang = token, "th"
    visitor.account = account_row(visitor.user_id)


def keep_signed_in(app, visitor: Visitor, probe) -> bool:
    """After a fuzz request: put the fuzzer's own account back as it was (the fuzz may have disabled
    it or reset its password) and sign in again if the session ended. True if it had to."""
    from shop.extensions import begin_write

    with probe.session_transaction() as session:
        same_person = session.get("_user_id") == str(visitor.user_id)
    account_changed = account_row(visitor.user_id) != visitor.account
    if account_changed:
        begin_write()
        db.session.execute(User.__table__.update().where(User.id == visitor.user_id).values(
            {k: v for k, v in visitor.account.items() if k != "id"}))
        db.session.commit()
    if same_person and not account_changed:
        return False
    if visitor.client.get("/account/orders").status_code == 200:  # the session still holds on the server
        return False
    sign_in(app, visitor)
    return True


# --- The fuzz ---------------------------------------------------------------------------------

@dataclass
class Figures:
    backend: str
    requests: int = 0
    statuses: Counter = field(default_factory=Counter)
    per_route: dict = field(default_factory=dict)
    failures: list = field(default_factory=list)
    re_sign_ins: int = 0
    pages_crawled: int = 0

    def distinct_failures(self) -> list[dict]:
        seen, out = set(), []
        for failure in self.failures:
            key = (failure["route"], failure["error"].split(" at ")[-1])
            if key not in seen:
                seen.add(key)
                out.append(failure)
        return out


def url_strategy(rule, forms: list[Form], site: Site):
    """The route's URL: its variables real (seen on the pages) or junk; a page's query string kept."""
    parts = {}
    for name in sorted(rule.arguments):
        real = list(site.url_values.get(name, {}))  # as the crawl met them: the same order every run
        junk = INT_JUNK if _is_int(rule, name) else STR_JUNK
        parts[name] = st.one_of(st.sampled_from(real), st.sampled_from(junk)) if real else st.sampled_from(junk)
    queries = sorted({urlsplit(f.action).query for f in forms} | {""})
    return st.builds(_build_url, st.just(rule), st.fixed_dictionaries(parts), st.sampled_from(queries))


def _is_int(rule, name: str) -> bool:
    return isinstance(rule._converters[name], NumberConverter)


def _build_url(rule, values: dict, query: str) -> str:
    """The rule's path with each variable put in as sent (junk ids too: the app's converters judge them)."""
    path = re.sub(r"<(?:[^:<>]+:)?([^<>]+)>", lambda m: quote(str(values[m.group(1)]), safe=""), rule.rule)
    return path + ("?" + query if query else "")


def form_strategy(rule, forms: list[Form], site: Site, all_fields: dict[str, list[str]], files: st.SearchStrategy):
    """(url, good fields, bad fields, uploads): one of the route's real forms, mostly sent where its page
    sends it and filled as its page fills it (or plausibly, where the page leaves it empty), then up to
    three fields made junk, dropped, repeated or added. One bad field among good ones reaches deep
    into a view, where a form full of junk stops at the first check. A route no page shows a form
    for gets fields of other forms."""
    templates = list({(f.action, tuple(sorted(f.fields)), tuple(sorted(f.files))): f for f in forms}.values())
    templates = templates or [Form("", dict(list(all_fields.items())[:12]))]
    any_url = url_strategy(rule, forms, site)
    extra_names = st.one_of(st.sampled_from(sorted(all_fields)), junk_name) if all_fields else junk_name
    bad_value = st.one_of(junk_value, junk_value, st.lists(junk_value, min_size=2, max_size=3), st.none())
    plausible = st.sampled_from(PLAUSIBLE)

    def good_value(name: str, offered: list[str]):
        current, options = offered[0], [v for v in dict.fromkeys(offered[1:]) if v]
        others = [v for v in dict.fromkeys(all_fields.get(name, [])) if v and v not in offered]
        choices = [st.sampled_from(options)] * bool(options) + [st.sampled_from(others)] * bool(others) + [plausible]
        if current:
            return st.one_of(st.just(current), st.just(current), st.just(current), *choices)
        return st.one_of(st.just(""), *choices, *choices)  # an empty field: what would a person type?

    def fill(template: Form):
        url = st.one_of(st.just(template.action), st.just(template.action), any_url) if template.action else any_url
        good = st.fixed_dictionaries({name: good_value(name, offered or [""]) for name, offered in sorted(template.fields.items())})
        names = st.one_of(st.sampled_from(sorted(template.fields)), extra_names) if template.fields else extra_names
        bad = st.dictionaries(names, bad_value, max_size=3)
        uploads = st.fixed_dictionaries({name: files for name in sorted(template.files)})
        return st.tuples(url, good, bad, uploads)

    return st.one_of([fill(template) for template in templates])


def fuzz_route(app, visitor: Visitor, rule, site: Site, all_fields, files, figures: Figures, errors: ErrorLog) -> None:
    forms = site.forms.get(rule.rule, [])
    route_key = f"{visitor.role} POST {rule.rule}"
    counts = figures.per_route.setdefault(route_key, Counter())
    limiter.reset()  # each route starts with the rate limits untouched by the routes before it

    @seed(zlib.crc32(route_key.encode()))  # fixed, and different for each route and role
    @settings(max_examples=EXAMPLES_PER_ROUTE_AND_ROLE, database=None, deadline=None,
              phases=[Phase.explicit, Phase.generate], print_blob=False,
              suppress_health_check=list(HealthCheck))
    @given(form=form_strategy(rule, forms, site, all_fields, files), lang=st.sampled_from(["th", "en"]))
    def post_junk(form, lang):
        url, good, bad, uploads = form
        data = {k: v for k, v in {**good, **bad}.items() if v is not None}
        data.update({name: (io.BytesIO(content), filename) for name, (content, filename) in uploads.items()})
        data["csrf_token"] = visitor.token
        if lang != visitor.lang:
            with visitor.client.session_transaction() as session:
                session["lang"] = lang
            visitor.lang = lang
        del errors.records[:]
        probe = visitor.probe(app)
        response = probe.post(url, data=data)
        figures.requests += 1
        figures.statuses[response.status_code] += 1
        counts[response.status_code] += 1
        if response.status_code >= 500:
            shown = {k: (v if not isinstance(v, tuple) else f"<file {v[1]!r}>") for k, v in data.items() if k != "csrf_token"}
            figures.failures.append({"route": f"POST {rule.rule}", "role": visitor.role, "url": url, "lang": lang,
                                     "status": response.status_code, "form": repr(shown)[:600],
                                     "error": summarise(errors.records[0] if errors.records else None)})
        figures.re_sign_ins += keep_signed_in(app, visitor, probe)

    post_junk()
    problems = reconciliation_problems()
    assert not problems, f"after junk posted to {rule.rule} as {visitor.role}: {problems}"


def test_junk_on_every_form_never_fails_and_keeps_stock_and_ledger_reconciled(app, world, request):
    started, cpu_started = time.monotonic(), time.process_time()
    backend = request.node.callspec.params.get("backend", "?")
    figures = Figures(backend)
    errors = ErrorLog()
    app.logger.addHandler(errors)
    people = world["people"]
    visitors = [Visitor(role, people[role].id, people[role].email, app.test_client()) for role in ("customer", "staff", "admin")]
    customer = people["customer"]
    seeds = [f"/orders/{o.number}?key={checkout.order_access_key(o.number)}" for o in world["orders"]]
    reset_seed = f"/account/reset/{accounts.reset_token(customer, app.config['SECRET_KEY'])}"
    routes = form_routes(app)
    assert {"/cart/add", "/backoffice/products/<int:product_id>", "/reports/tokens"} <= {r.rule for r in routes}
    files = file_value(world["skus"], world["centres"])
    try:
        assert not reconciliation_problems()
        sites = {}
        for visitor in visitors:  # every role looks around before any junk changes the world
            sign_in(app, visitor)
            sites[visitor.role] = crawl(app, visitor.client, seeds + ([reset_seed] if visitor.role == "customer" else []))
            figures.pages_crawled += sites[visitor.role].pages
            keep_signed_in(app, visitor, visitor.client)  # the crawl follows no link that signs out, but be sure
        for visitor in visitors:
            site = sites[visitor.role]
            all_fields: dict[str, list[str]] = {}
            for forms in site.forms.values():
                for form in forms:
                    for name, offered in form.fields.items():
                        all_fields.setdefault(name, []).extend(offered)
            for rule in routes:
                fuzz_route(app, visitor, rule, site, all_fields, files, figures, errors)
    finally:
        app.logger.removeHandler(errors)
        report = {
            "backend": figures.backend, "seconds": round(time.monotonic() - started, 1),
            "cpu_seconds": round(time.process_time() - cpu_started, 1),
            "routes": len(routes), "roles": [v.role for v in visitors], "pages_crawled": figures.pages_crawled,
            "requests": figures.requests, "responses_5xx": sum(n for s, n in figures.statuses.items() if s >= 500),
            "statuses": dict(sorted(figures.statuses.items())), "re_sign_ins": figures.re_sign_ins,
            "distinct_5xx": figures.distinct_failures(),
            "per_route": {k: dict(sorted(v.items())) for k, v in sorted(figures.per_route.items())},
        }
        ARTIFACTS.mkdir(exist_ok=True)
        (ARTIFACTS / f"fuzz-forms-{figures.backend}.json").write_text(json.dumps(report, indent=1, ensure_ascii=False))
        print(f"\nfuzz forms [{figures.backend}]: {report['requests']} requests to {len(routes)} routes as "
              f"{len(visitors)} roles, {report['responses_5xx']} answered 5xx ({len(report['distinct_5xx'])} distinct), "
              f"statuses {report['statuses']}, {report['seconds']} s ({report['cpu_seconds']} s CPU)")
        for failure in report["distinct_5xx"]:
            print(f"  5xx {failure['role']} {failure['url'][:100]} -> {failure['error']}")
    assert not figures.failures, json.dumps(figures.distinct_failures(), indent=1, ensure_ascii=False)
