"""Backups you can restore: a shop with orders goes into a dump and comes back the same."""
from __future__ import annotations

import secrets
import shutil
from datetime import UTC, datetime
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy import func, select

from shop import create_app
from shop.config import TestConfig
from shop.extensions import db
from shop.models import ProductImage, SalesEntry
from shop.ops import backup as backups
from shop.services.ordering import lifecycle
from shop.services.payments import refunds as payment_refunds
from tests.conftest import IN_CI
from tests.factories import cart_with, make_centre, make_product, place
from tests.ops.helpers import make_user


def require_pg_tools():
    if shutil.which("pg_dump") is None and not Path("/usr/lib/postgresql").is_dir():
        message = "pg_dump is not installed (apt-get install postgresql-client)"
        if IN_CI:
            pytest.fail(message, pytrace=False)
        pytest.skip(message)


def shop_with_orders(app) -> None:
    surat = make_centre("surat")
    lampang = make_centre("lampang", province_code="52", province_en="Lampang", region="north")
    cloth = make_product(surat, slug="cloth", prices=(65000, 125000), stock=(10, 4))
    rooster = make_product(lampang, slug="rooster", prices=(25000,), stock=6)
    folder = Path(app.config["MEDIA_FOLDER"]) / "ab"
    folder.mkdir(parents=True)
    (folder / "abc.jpg").write_bytes(b"photo bytes")
    (folder / "abc-t.jpg").write_bytes(b"thumb bytes")
    db.session.add(ProductImage(product_id=cloth.id, filename="ab/abc.jpg", thumb_filename="ab/abc-t.jpg", width=10, height=10))
    db.session.commit()
    admin = make_user("admin@example.com")
    for quantity in (1, 2):
        order = place(cart_with((cloth.variants[0].id, quantity), (rooster.variants[0].id, 1)))
        lifecycle.record_payment(order.id, method="promptpay_transfer", reference=f"T-{quantity}", amount_satang=order.total_satang)
    payment_refunds.refund(admin, order.id, {order.lines[-1].id: 1}, [], restock=True, reason="broken")
    place(cart_with((cloth.variants[1].id, 1)))  # unpaid, holding stock


def row_counts(engine: sa.Engine) -> dict[str, int]:
    with engine.connect() as conn:
        tables = sa.inspect(conn).get_table_names()
        return {t: conn.scalar(sa.text(f'SELECT COUNT(*) FROM "{t}"')) for t in sorted(tables)}


def ledger_total(engine: sa.Engine) -> int:
    with engine.connect() as conn:
        return int(conn.scalar(select(func.coalesce(func.sum(SalesEntry.amount_satang), 0))))


@pytest.fixture
def empty_database(backend):
    """A new, empty PostgreSQL database on the test server, dropped afterwards."""
    if not backend.startswith("postgresql"):
        pytest.skip("backups are for PostgreSQL")
    server = sa.make_url(backend)
    name = f"relearn_restore_{secrets.token_hex(4)}"
    admin = sa.create_engine(server.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}" ENCODING \'UTF8\' TEMPLATE template0'))
    yield server.set(database=name).render_as_string(hide_password=False)
    with admin.connect() as conn:
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def test_a_shop_with_orders_is_backed_up_and_restored_into_a_new_database(app, runner, empty_database, tmp_path):
    require_pg_tools()
    shop_with_orders(app)
    counts, total = row_counts(db.engine), ledger_total(db.engine)
    assert counts["shop_order"] == 3 and counts["refund"] == 1 and total > 0

    result = runner.invoke(args=["backup"])
    assert result.exit_code == 0, result.output
    [made] = backups.list_backups(Path(app.config["BACKUP_FOLDER"]))
    assert made.media.is_file() and made.dump.stat().st_size > 0
    assert made.dump.stat().st_mode & 0o077 == 0 and made.media.stat().st_mode & 0o077 == 0  # personal data
    assert datetime.now(UTC).strftime("%Y%m%d") in made.name

    restored_config = TestConfig(empty_database, str(tmp_path / "restored"))
    restored = create_app(restored_config)
    with restored.app_context():  # the commands run in the restored shop, not in the test's
        result = restored.test_cli_runner().invoke(args=["restore", str(made.dump)])
    assert result.exit_code == 0, result.output
    engine = sa.create_engine(empty_database)
    try:
        assert row_counts(engine) == counts
        assert ledger_total(engine) == total
    finally:
        engine.dispose()
    media = Path(restored_config.MEDIA_FOLDER)
    assert (media / "ab" / "abc.jpg").read_bytes() == b"photo bytes"
    assert (media / "ab" / "abc-t.jpg").read_bytes() == b"thumb bytes"

    with restored.app_context():
        again = restored.test_cli_runner().invoke(args=["restore", str(made.dump)])
        forced = restored.test_cli_runner().invoke(args=["restore", str(made.dump), "--force"])
    assert again.exit_code != 0 and "already has tables" in again.output
    assert forced.exit_code == 0, forced.output
    engine = sa.create_engine(empty_database)
    try:
        assert row_counts(engine) == counts
    finally:
        engine.dispose()


def test_backups_keep_only_the_newest(tmp_path):
    for stamp in ("20261101-030000", "20261102-030000", "20261103-030000", "20261104-030000"):
        (tmp_path / f"relearn-{stamp}.dump").write_bytes(b"d")
        (tmp_path / f"relearn-{stamp}-media.tar.gz").write_bytes(b"m")
    (tmp_path / "notes.txt").write_text("not a backup")
    removed = backups.prune(tmp_path, keep=2)
    assert [b.name for b in removed] == ["relearn-20261101-030000", "relearn-20261102-030000"]
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "notes.txt", "relearn-20261103-030000-media.tar.gz", "relearn-20261103-030000.dump",
        "relearn-20261104-030000-media.tar.gz", "relearn-20261104-030000.dump",
    ]
    assert backups.find_backup("latest", str(tmp_path)).name == "relearn-20261104-030000"
    assert backups.find_backup("relearn-20261103-030000", str(tmp_path)).dump.name == "relearn-20261103-030000.dump"


def test_sqlite_shops_are_told_plainly_that_backups_need_postgresql(app, runner, backend):
    if not backend.startswith("sqlite"):
        pytest.skip("the SQLite message")
    result = runner.invoke(args=["backup"])
    assert result.exit_code != 0
    assert "Backups need PostgreSQL" in result.output and "copy instance/shop.sqlite3" in result.output


def test_restoring_a_backup_that_is_not_there_says_so(app, runner):
    result = runner.invoke(args=["restore", "relearn-20200101-000000"])
    assert result.exit_code != 0 and "There is no backup" in result.output


def test_a_restore_never_writes_outside_the_media_folder(tmp_path):
    import io
    import tarfile

    archive = tmp_path / "relearn-20261101-030000-media.tar.gz"
    with tarfile.open(archive, "w:gz") as tar:
        data = b"evil"
        info = tarfile.TarInfo("../escaped.txt")
        info.size = len(data)
        tar.addfile(info, io.BytesIO(data))
    with tarfile.open(archive, "r:gz") as tar, pytest.raises(tarfile.OutsideDestinationError):
        tar.extractall(tmp_path / "media", filter="data")
    assert not (tmp_path / "escaped.txt").exists()
