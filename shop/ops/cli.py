"""flask commands for running the shop: doctor, backup, restore."""
from __future__ import annotations

import sys
from pathlib import Path

import click
from flask import Flask, current_app

from shop.extensions import db
from shop.ops.backup import BackupError, find_backup, list_backups, make_backup, restore_backup
from shop.ops.doctor import ERROR, WARNING, run_checks


def register_ops_commands(app: Flask) -> None:
    @app.cli.command("doctor")
    def doctor_command() -> None:
        """Check what a production shop needs, one line each; exit 1 on any error."""

        findings = run_checks(current_app)
        for finding in findings:
            click.echo(finding.line())
        errors = sum(f.level == ERROR for f in findings)
        warnings = sum(f.level == WARNING for f in findings)
        if errors:
            click.echo(f"{errors} error(s), {warnings} warning(s): fix the errors before opening the shop.")
            sys.exit(1)
        click.echo(f"No errors ({warnings} warning(s)).")

    @app.cli.command("backup")
    @click.option("--folder", default=None, help="Where to write (default: BACKUP_FOLDER).")
    @click.option("--keep", type=int, default=None, help="How many backups to keep (default: BACKUP_KEEP).")
    @click.option("--list", "list_only", is_flag=True, help="List the backups there and write none.")
    def backup_command(folder: str | None, keep: int | None, list_only: bool) -> None:
        """Write a PostgreSQL dump and a media archive, dated; keep the newest BACKUP_KEEP."""

        config = current_app.config
        folder = folder or config["BACKUP_FOLDER"]
        if list_only:

            for backup in list_backups(Path(folder)):
                size = backup.dump.stat().st_size + (backup.media.stat().st_size if backup.media.exists() else 0)
                click.echo(f"{backup.name}  {size / 1_000_000:.1f} MB  {backup.dump}")
            return
        db.session.remove()
        try:
            backup, removed = make_backup(
                config["SQLALCHEMY_DATABASE_URI"], config["MEDIA_FOLDER"], folder, keep if keep is not None else config["BACKUP_KEEP"]
            )
        except BackupError as error:
            raise click.ClickException(str(error)) from None
        click.echo(f"Backup written: {backup.dump} and {backup.media}.")
        for old in removed:
            click.echo(f"  removed the old backup {old.name}")

    @app.cli.command("restore")
    @click.argument("name")
    @click.option("--folder", default=None, help="Where the backups are (default: BACKUP_FOLDER).")
    @click.option("--force", is_flag=True, help="Replace everything in a database that is not empty.")
    def restore_command(name: str, folder: str | None, force: bool) -> None:
        """Bring back a backup (a .dump path, its name, or 'latest') into an empty database and media folder."""

        config = current_app.config
        db.session.remove()
        db.engine.dispose()
        try:
            backup = find_backup(name, folder or config["BACKUP_FOLDER"])
            restore_backup(backup, config["SQLALCHEMY_DATABASE_URI"], config["MEDIA_FOLDER"], force=force)
        except BackupError as error:
            raise click.ClickException(str(error)) from None
        click.echo(f"Restored {backup.name} into {db.engine.url.database} and {config['MEDIA_FOLDER']}. "
                   "Run `flask --app run.py db upgrade` if the code is newer than the backup, then start the shop.")
