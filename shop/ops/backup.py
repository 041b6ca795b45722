"""Backups of a PostgreSQL shop: a pg_dump (custom format) and a tar archive of the media folder.

    relearn-20261126-031500.dump           the whole database, one consistent snapshot
    relearn-20261126-031500-media.tar.gz   the product photos, taken just after the dump

Only PostgreSQL is supported: the SQLite quick start is for trying the shop. The media archive
is made after the dump, so every photo the dump names is in it (photos are never changed in
place: their names are content hashes).
"""
from __future__ import annotations

import os
import re
import shutil
import subprocess
import tarfile
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import sqlalchemy as sa

PREFIX = "relearn-"
STAMP = re.compile(r"^relearn-(\d{8}-\d{6})\.dump$")


class BackupError(Exception):
    """A backup or restore that cannot go ahead; the message says what to do."""


@dataclass(frozen=True)
class Backup:
    dump: Path
    media: Path

    @property
    def name(self) -> str:
        return self.dump.stem


def require_postgresql(url: sa.URL) -> None:
    if not url.drivername.startswith("postgresql"):
        raise BackupError(
            "Backups need PostgreSQL; this shop runs on SQLite, which is for trying the shop. "
            "To keep a copy of a SQLite shop, stop it and copy instance/shop.sqlite3 and instance/media."
        )


def _libpq(url: sa.URL) -> tuple[str, dict[str, str]]:
    """The libpq connection string (no password in it: ps shows arguments) and its environment."""
    env = dict(os.environ)
    if url.password:
        env["PGPASSWORD"] = str(url.password)
    plain = url.set(drivername="postgresql", password=None)
    return plain.render_as_string(hide_password=False), env


def server_major_version(url: sa.URL) -> int:
    engine = sa.create_engine(url, poolclass=sa.pool.NullPool)
    try:
        with engine.connect() as conn:
            return int(conn.scalar(sa.text("SHOW server_version_num"))) // 10000
    finally:
        engine.dispose()


def find_tool(name: str, major: int) -> str:
    """pg_dump/pg_restore of the server's major version (Debian keeps each under /usr/lib/postgresql/N/bin)."""
    candidates = [Path(f"/usr/lib/postgresql/{major}/bin/{name}")]
    on_path = shutil.which(name)
    if on_path:
        candidates.append(Path(on_path))
    for candidate in candidates:
        if candidate.is_file() and os.access(candidate, os.X_OK):
            found = subprocess.run([str(candidate), "--version"], capture_output=True, text=True, check=False).stdout
            version = re.search(r"\(PostgreSQL\)\s+(\d+)", found)  # "pg_dump (PostgreSQL) 15.20 (Debian ...)"
            if version and int(version.group(1)) >= major:
                return str(candidate)
    raise BackupError(f"No {name} for PostgreSQL {major} here: install it with `apt-get install postgresql-client-{major}`.")


def list_backups(folder: Path) -> list[Backup]:
    """Complete backups in the folder, oldest first."""
    found = []
    for dump in sorted(folder.glob(f"{PREFIX}*.dump")):
        if STAMP.match(dump.name):
            found.append(Backup(dump, dump.with_name(dump.stem + "-media.tar.gz")))
    return found


def _run(command: list[str], env: dict[str, str], what: str) -> None:
    done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise BackupError(f"{what} failed: {(done.stderr or done.stdout).strip()[-2000:]}")


def make_backup(database_url: str, media_folder: str, folder: str, keep: int, now: datetime | None = None) -> tuple[Backup, list[Backup]]:
    """Write a dump and a media archive named by the UTC time; keep the newest `keep`; return (new, removed)."""
    url = sa.make_url(database_url)
    require_postgresql(url)
    target = Path(folder)
    target.mkdir(mode=0o700, parents=True, exist_ok=True)
    stamp = (now or datetime.now(UTC)).strftime("%Y%m%d-%H%M%S")
    backup = Backup(target / f"{PREFIX}{stamp}.dump", target / f"{PREFIX}{stamp}-media.tar.gz")
    if backup.dump.exists():
        raise BackupError(f"{backup.dump} already exists: wait a second and try again.")
    pg_dump = find_tool("pg_dump", server_major_version(url))
    conninfo, env = _libpq(url)
    partial_dump = backup.dump.with_suffix(".dump.partial")
    partial_media = backup.media.with_name(backup.media.name + ".partial")
    try:
        # One transaction snapshot: every table as of the same moment, while the shop runs.
        _run([pg_dump, "--format=custom", "--no-owner", "--no-privileges", f"--file={partial_dump}", f"--dbname={conninfo}"],
             env, "pg_dump")
        media = Path(media_folder)
        with tarfile.open(partial_media, "w:gz") as archive:
            if media.is_dir():
                for path in sorted(media.rglob("*")):
                    if path.is_file() and not path.name.startswith(".doctor-"):
                        archive.add(path, arcname=str(path.relative_to(media)), recursive=False)
        for written in (partial_dump, partial_media):
            written.chmod(0o600)  # addresses and password hashes: for the shop's user only
        partial_dump.rename(backup.dump)
        partial_media.rename(backup.media)
    finally:
        partial_dump.unlink(missing_ok=True)
        partial_media.unlink(missing_ok=True)
    removed = prune(target, keep)
    return backup, removed


def prune(folder: Path, keep: int) -> list[Backup]:
    """Delete all but the newest `keep` backups (dump and media archive together)."""
    backups = list_backups(folder)
    old = backups[: max(len(backups) - max(keep, 1), 0)]
    for backup in old:
        backup.dump.unlink(missing_ok=True)
        backup.media.unlink(missing_ok=True)
    return old


def find_backup(name: str, folder: str) -> Backup:
    """A backup by its dump's path, or by its name (relearn-YYYYmmdd-HHMMSS) in the folder; 'latest' is the newest."""
    if name == "latest":
        backups = list_backups(Path(folder))
        if not backups:
            raise BackupError(f"There are no backups in {folder}.")
        return backups[-1]
    path = Path(name)
    if not path.suffix:
        path = Path(folder) / f"{name}.dump"
    if not path.is_file():
        raise BackupError(f"There is no backup {path}: `flask --app run.py backup --list` shows them.")
    return Backup(path, path.with_name(path.stem + "-media.tar.gz"))


def database_is_empty(url: sa.URL) -> bool:
    engine = sa.create_engine(url, poolclass=sa.pool.NullPool)
    try:
        with engine.connect() as conn:
            return not sa.inspect(conn).get_table_names()
    finally:
        engine.dispose()


def _empty_schema(url: sa.URL) -> None:
    engine = sa.create_engine(url, poolclass=sa.pool.NullPool, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as conn:
            conn.execute(sa.text("DROP SCHEMA public CASCADE"))
            conn.execute(sa.text("CREATE SCHEMA public"))
    finally:
        engine.dispose()


def restore_backup(backup: Backup, database_url: str, media_folder: str, *, force: bool = False) -> None:
    """Bring a backup back into an empty database and an empty media folder.

    force: empty the database first, and put the photos beside any already in the folder.
    """
    url = sa.make_url(database_url)
    require_postgresql(url)
    if not backup.dump.is_file():
        raise BackupError(f"There is no dump {backup.dump}.")
    media = Path(media_folder)
    media_in_use = media.is_dir() and any(media.iterdir())
    if not database_is_empty(url) and not force:
        raise BackupError(f"The database {url.database} already has tables. Restore into a new, empty database "
                          "(createdb), or add --force to replace everything in it.")
    if media_in_use and not force:
        raise BackupError(f"The media folder {media} is not empty. Restore into an empty folder, or add --force.")
    pg_restore = find_tool("pg_restore", server_major_version(url))
    if force:
        _empty_schema(url)
    conninfo, env = _libpq(url)
    _run([pg_restore, "--no-owner", "--no-privileges", "--single-transaction", "--exit-on-error", f"--dbname={conninfo}",
          str(backup.dump)], env, "pg_restore")
    media.mkdir(parents=True, exist_ok=True)
    if backup.media.is_file():
        with tarfile.open(backup.media, "r:gz") as archive:
            archive.extractall(media, filter="data")  # no absolute paths, no links out of the folder
