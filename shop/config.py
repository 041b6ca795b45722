"""Configuration, read from the environment only here (12-factor style).

`.env` in the project folder is loaded when present. Every setting has a safe
default for a developer's machine; production sets DATABASE_URL, SECRET_KEY and
REDIS_URL explicitly.
"""
from __future__ import annotations

import os
import secrets
from pathlib import Path

from dotenv import load_dotenv

BASE_DIR = Path(__file__).resolve().parent.parent
load_dotenv(BASE_DIR / ".env")

# The demo PromptPay account: `flask doctor` refuses it on a real shop.
DEMO_PROMPTPAY_ID = "0898939397"
DEMO_PROMPTPAY_NAME = "Relearn Shop DEMO"
SLIP_VERIFIERS = ("decode",)  # the codes of shop/services/payments/slips.py's VERIFIERS


def _bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _int(name: str, default: int) -> int:
    value = os.environ.get(name)
    if not value:
        return default
    try:
        return int(value)
    except ValueError as exc:
        raise RuntimeError(f"{name} must be a whole number, got {value!r}") from exc


def _bounded_int(name: str, default: int, low: int, high: int) -> int:
    value = _int(name, default)
    if not low <= value <= high:
        raise RuntimeError(f"{name} must be from {low:,} to {high:,}, got {value:,}")
    return value


def instance_dir() -> Path:
    path = Path(os.environ.get("INSTANCE_PATH", BASE_DIR / "instance"))
    path.mkdir(parents=True, exist_ok=True)
    return path


def load_or_create_secret_key(folder: Path) -> str:
    """A random key kept in instance/secret_key, made on first run, never a fixed string."""
    key_file = folder / "secret_key"
    if key_file.exists():
        return key_file.read_text().strip()
    key = secrets.token_urlsafe(48)
    key_file.write_text(key)
    key_file.chmod(0o600)
    return key


def normalise_database_url(url: str) -> str:
    """Accept the common postgres:// spellings and use psycopg 3."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


class Config:
    """Settings for running the shop (development and production)."""

    def __init__(self) -> None:
        folder = instance_dir()
        self.INSTANCE_PATH = str(folder)
        self.SECRET_KEY = os.environ.get("SECRET_KEY") or load_or_create_secret_key(folder)
        self.SECRET_KEY_FROM_ENVIRONMENT = bool(os.environ.get("SECRET_KEY"))
        self.SQLALCHEMY_DATABASE_URI = normalise_database_url(
            os.environ.get("DATABASE_URL") or f"sqlite:///{folder / 'shop.sqlite3'}"
        )
        # A pooled connection idle for DATABASE_PING_IDLE_SECONDS is checked before use, so the
        # shop survives a database restart; one in steady use is not (a round trip per request).
        # DATABASE_PRE_PING=0 checks none: a broken connection then fails one request and is replaced.
        # (shop/ops/pool.py; SQLAlchemy's own pool_pre_ping would check on every request.)
        self.SQLALCHEMY_ENGINE_OPTIONS = {"pool_recycle": 1800}
        self.DATABASE_PRE_PING = _bool("DATABASE_PRE_PING", True)
        self.DATABASE_PING_IDLE_SECONDS = _bounded_int("DATABASE_PING_IDLE_SECONDS", 10, 0, 3600)
        self.REDIS_URL = os.environ.get("REDIS_URL", "")
        self.MEDIA_FOLDER = os.environ.get("MEDIA_FOLDER") or str(folder / "media")
        # Pictures of payout transfers: private (served only to admins and the centre's staff).
        self.PAYOUT_PROOF_FOLDER = os.environ.get("PAYOUT_PROOF_FOLDER") or str(folder / "payout-proofs")
        # Customers' transfer slips: private (served only to admins).
        self.SLIP_FOLDER = os.environ.get("SLIP_FOLDER") or str(folder / "slips")
        # Who checks a slip before it is recorded: "decode" reads its QR and refuses a reused one
        # (shop/services/payments/slips.py lists the verifiers; a bank's API would add one).
        self.SLIP_VERIFIER = os.environ.get("SLIP_VERIFIER", "decode")
        if self.SLIP_VERIFIER not in SLIP_VERIFIERS:
            raise ValueError(f"SLIP_VERIFIER must be one of {', '.join(SLIP_VERIFIERS)}, not {self.SLIP_VERIFIER!r}")
        self.STRIPE_SECRET_KEY = os.environ.get("STRIPE_SECRET_KEY", "")
        self.STRIPE_PUBLISHABLE_KEY = os.environ.get("STRIPE_PUBLISHABLE_KEY", "")
        self.STRIPE_WEBHOOK_SECRET = os.environ.get("STRIPE_WEBHOOK_SECRET", "")
        # Where the Stripe API is (a local test double in tests); card and PromptPay by default.
        self.STRIPE_API_BASE = os.environ.get("STRIPE_API_BASE", "")
        self.STRIPE_PAYMENT_METHODS = os.environ.get("STRIPE_PAYMENT_METHODS", "card,promptpay")
        self.STRIPE_TIMEOUT = _int("STRIPE_TIMEOUT", 10)
        self.STRIPE_CHECKOUT_ORIGIN = os.environ.get("STRIPE_CHECKOUT_ORIGIN", "https://checkout.stripe.com")
        self.PROMPTPAY_ID = os.environ.get("PROMPTPAY_ID", DEMO_PROMPTPAY_ID)
        # The account holder's name, shown beside the QR so buyers can check whom they pay.
        self.PROMPTPAY_NAME = os.environ.get("PROMPTPAY_NAME", DEMO_PROMPTPAY_NAME)
        # Where customers reach the shop: links in emails start with it.
        self.PUBLIC_URL = os.environ.get("PUBLIC_URL", "http://127.0.0.1:5000").rstrip("/")
        self.PROMPTPAY_HOLD_HOURS = _int("PROMPTPAY_HOLD_HOURS", 24)
        self.CART_LIFETIME_DAYS = _int("CART_LIFETIME_DAYS", 30)
        self.CATALOGUE_PAGE_SIZE = _int("CATALOGUE_PAGE_SIZE", 24)
        # How long a CDN or reverse proxy may serve an anonymous catalogue, centre or product page
        # without asking again (s-maxage): the most a page seen through a proxy can lag a change.
        # Browsers always ask again (max-age=0) and get a 304 while nothing changed.
        self.PAGE_SHARED_MAX_AGE = _bounded_int("PAGE_SHARED_MAX_AGE", 10, 0, 3600)
        # With Redis as the cache: how many of the most used pages and fragments each worker also
        # keeps in its own memory (their keys hold their versions, so never stale); 0 turns it off.
        self.NEAR_CACHE_ENTRIES = _bounded_int("NEAR_CACHE_ENTRIES", 200, 0, 100_000)
        # The seller on receipts and credit notes: the association (demo values by default).
        self.SELLER_NAME = os.environ.get("SELLER_NAME", "สมาคมห้องสมุดแห่งประเทศไทยฯ (ศูนย์เรียนรู้ต่อเนื่องอย่างยั่งยืน)")
        self.SELLER_ADDRESS = os.environ.get("SELLER_ADDRESS", "1346 ถนนอัครเทศ แขวงคลองจั่น เขตบางกะปิ กรุงเทพมหานคร 10240")
        self.SELLER_TAX_ID = os.environ.get("SELLER_TAX_ID", "0993000012348")
        # How customers reach the association (footer, contact and privacy pages; demo values by default).
        self.CONTACT_PHONE = os.environ.get("CONTACT_PHONE", "089 893 9397")
        self.CONTACT_LINE_ID = os.environ.get("CONTACT_LINE_ID", "tla2497").strip().lstrip("@~")
        self.CONTACT_EMAIL = os.environ.get("CONTACT_EMAIL", "")
        self.CONTACT_ADDRESS_TH = os.environ.get(
            "CONTACT_ADDRESS_TH", "ศูนย์เรียนรู้ต่อเนื่องอย่างยั่งยืน สมาคมห้องสมุดแห่งประเทศไทยฯ 1346 แขวงคลองจั่น เขตบางกะปิ กรุงเทพมหานคร 10240")
        self.CONTACT_ADDRESS_EN = os.environ.get(
            "CONTACT_ADDRESS_EN", "Relearning Space centre, Thai Library Association, 1346 Khlong Chan, Bang Kapi, Bangkok 10240")
        # Prices include 7% VAT and receipts become tax invoices only when the seller is VAT-registered.
        self.VAT_ENABLED = _bool("VAT_ENABLED", False)
        # How long a settlement period with the centres is: month, quarter or week.
        self.SETTLEMENT_PERIOD = os.environ.get("SETTLEMENT_PERIOD", "month").strip().lower()
        if self.SETTLEMENT_PERIOD not in {"month", "quarter", "week"}:
            raise RuntimeError(f"SETTLEMENT_PERIOD must be month, quarter or week, got {self.SETTLEMENT_PERIOD!r}")
        # Email: printed to the log unless MAIL_SERVER is set.
        self.MAIL_SERVER = os.environ.get("MAIL_SERVER", "")
        self.MAIL_PORT = _int("MAIL_PORT", 587)
        self.MAIL_USERNAME = os.environ.get("MAIL_USERNAME", "")
        self.MAIL_PASSWORD = os.environ.get("MAIL_PASSWORD", "")
        self.MAIL_USE_TLS = _bool("MAIL_USE_TLS", True)
        self.MAIL_SENDER = os.environ.get("MAIL_SENDER", "Relearn Shop <shop@relearn.example>")
        # Cookies: secure unless explicitly running over plain HTTP in development.
        secure = _bool("SESSION_COOKIE_SECURE", not _bool("FLASK_DEBUG", False))
        self.SESSION_COOKIE_SECURE = secure
        self.SESSION_COOKIE_HTTPONLY = True
        self.SESSION_COOKIE_SAMESITE = "Lax"
        # Only send the cookie when the session changed: a parallel request (a favicon, say) must
        # not overwrite a fresher cookie (with a new CSRF token) with its older copy.
        self.SESSION_REFRESH_EACH_REQUEST = False
        self.REMEMBER_COOKIE_SECURE = secure
        self.REMEMBER_COOKIE_HTTPONLY = True
        self.STAFF_SESSION_HOURS = _int("STAFF_SESSION_HOURS", 8)
        # Uploaded pictures, checked from the header before a pixel is decoded (services/uploads.py):
        # file size, megapixels, shape (long side at most this many times the short side) and the
        # memory decoding may take (a 24 MP phone JPEG is decoded at a reduced scale and fits).
        self.IMAGE_MAX_FILE_MB = _bounded_int("IMAGE_MAX_FILE_MB", 10, 1, 100)
        self.IMAGE_MAX_MEGAPIXELS = _bounded_int("IMAGE_MAX_MEGAPIXELS", 25, 1, 100)
        self.IMAGE_MAX_ASPECT_RATIO = _bounded_int("IMAGE_MAX_ASPECT_RATIO", 10, 1, 100)
        self.IMAGE_MAX_DECODED_MB = _bounded_int("IMAGE_MAX_DECODED_MB", 64, 1, 1024)
        self.MAX_CONTENT_LENGTH = (self.IMAGE_MAX_FILE_MB + 2) * 1024 * 1024  # uploads: photos and CSV files
        # The largest amounts people may type, in whole baht (services/money.py): a sale, a baseline
        # year or a transfer; and a unit price, shipping fee or free-shipping threshold (stored as
        # 32-bit satang, so at most ฿21,474,836).
        self.MAX_AMOUNT_BAHT = _bounded_int("MAX_AMOUNT_BAHT", 10_000_000, 1, 10**12)
        self.MAX_PRICE_BAHT = _bounded_int("MAX_PRICE_BAHT", 1_000_000, 1, (2**31 - 1) // 100)
        # The shipping fee per parcel of a centre whose admin left the fee empty, in whole baht.
        self.DEFAULT_SHIPPING_FEE_BAHT = _bounded_int("DEFAULT_SHIPPING_FEE_BAHT", 50, 0, self.MAX_PRICE_BAHT)
        self.RATELIMIT_STORAGE_URI = os.environ.get("REDIS_URL") or "memory://"
        # Set by the `flask` command (its one-process development server, and the CLI commands):
        # rate limits kept in memory are then whole, so create_app need not warn about them.
        self.STARTED_BY_FLASK_COMMAND = os.environ.get("FLASK_RUN_FROM_CLI") == "true"
        self.PERMANENT_SESSION_LIFETIME = _int("SESSION_LIFETIME_HOURS", 24 * 14) * 3600
        self.PREFERRED_URL_SCHEME = "https" if secure else "http"
        self.TRUST_PROXY_HEADERS = _bool("TRUST_PROXY_HEADERS", False)
        self.LOG_LEVEL = os.environ.get("LOG_LEVEL", "INFO")
        self._init_operations()
        self._init_findability()

    def _init_operations(self) -> None:
        """Running it for real: logs, metrics, errors, backups (see deploy/ and the README)."""
        # "json": one JSON line per log record (a line per request); "text" for reading by eye.
        self.LOG_FORMAT = os.environ.get("LOG_FORMAT", "json").strip().lower()
        # gunicorn reads WEB_CONCURRENCY as its number of workers; `flask doctor` checks Redis then.
        self.WEB_CONCURRENCY = _int("WEB_CONCURRENCY", 1)
        # /metrics answers localhost (not through the proxy) or a request with this bearer token.
        self.METRICS_TOKEN = os.environ.get("METRICS_TOKEN", "")
        # Several gunicorn workers share their metrics through files here (the systemd unit sets it).
        self.PROMETHEUS_MULTIPROC_DIR = os.environ.get("PROMETHEUS_MULTIPROC_DIR", "")
        self.SENTRY_DSN = os.environ.get("SENTRY_DSN", "")
        self.SENTRY_ENVIRONMENT = os.environ.get("SENTRY_ENVIRONMENT", "production")
        self.BACKUP_FOLDER = os.environ.get("BACKUP_FOLDER") or str(Path(self.INSTANCE_PATH) / "backups")
        self.BACKUP_KEEP = _int("BACKUP_KEEP", 14)
        self.READYZ_TIMEOUT_SECONDS = 2.0
        self.MAINTENANCE_CHECK_SECONDS = 5.0  # each worker re-reads the switch this often
        self.MAINTENANCE_RETRY_AFTER = 600


    def _init_findability(self) -> None:
        """Search engines and chat apps: compression, the sitemap (shop/compression.py, storefront/seo_routes.py)."""
        # Brotli, zstd or gzip, whichever the client prefers (brotli when it accepts several).
        self.COMPRESS_ALGORITHM = ["br", "zstd", "gzip"]
        self.COMPRESS_ALGORITHM_STREAMING = ["br", "zstd", "gzip"]  # files sent in pieces (static, in development)
        self.COMPRESS_MIMETYPES = [
            "text/html", "text/css", "text/javascript", "application/javascript", "application/json",
            "text/csv", "text/plain", "text/xml", "application/xml", "image/svg+xml", "image/x-icon",
        ]
        self.COMPRESS_MIN_SIZE = 500
        # A sitemap holds at most this many URLs (the protocol's limit); beyond it /sitemap.xml
        # becomes an index of numbered sitemaps.
        self.SITEMAP_MAX_URLS = 50_000


class TestConfig(Config):
    """Settings for the test suite: the caller passes the database URL."""

    __test__ = False  # not a pytest test class

    def __init__(self, database_url: str, instance_path: str) -> None:
        os.environ.setdefault("INSTANCE_PATH", instance_path)
        super().__init__()
        self.TESTING = True
        self.SECRET_KEY = "test-secret-key-" + secrets.token_hex(8)
        self.SQLALCHEMY_DATABASE_URI = normalise_database_url(database_url)
        # Room for the race tests' threads, each holding a connection at once.
        self.SQLALCHEMY_ENGINE_OPTIONS = {"pool_size": 5, "max_overflow": 40}
        self.INSTANCE_PATH = instance_path
        self.MEDIA_FOLDER = str(Path(instance_path) / "media")
        self.BACKUP_FOLDER = str(Path(instance_path) / "backups")
        self.MAINTENANCE_CHECK_SECONDS = 60.0  # read at start-up; query-counting tests see no re-read
        self.PAYOUT_PROOF_FOLDER = str(Path(instance_path) / "payout-proofs")
        self.SLIP_FOLDER = str(Path(instance_path) / "slips")
        self.SESSION_COOKIE_SECURE = False
        self.REMEMBER_COOKIE_SECURE = False
        self.PREFERRED_URL_SCHEME = "http"
        self.REDIS_URL = ""
        self.STRIPE_SECRET_KEY = ""
        self.STRIPE_WEBHOOK_SECRET = ""
