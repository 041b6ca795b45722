"""flask commands: `flask --app run.py seed-demo`, `scale-demo`."""
from __future__ import annotations

import click
from flask import Flask, current_app
from sqlalchemy import inspect

from shop.extensions import db


def _require_schema() -> None:
    if not inspect(db.engine).has_table("product"):
        raise click.ClickException(
            "The database has no tables yet. Run `flask --app run.py db upgrade` first, then try again."
        )


def register_commands(app: Flask) -> None:
    @app.cli.command("seed-demo")
    def seed_demo_command() -> None:
        """Load the nine centres and the demo products (safe to run again)."""
        from shop.services.demo import seed_demo

        _require_schema()
        click.echo("Loading DEMO data (invented products, for trying the shop)…")
        made = seed_demo(current_app.config["MEDIA_FOLDER"], progress=lambda msg: click.echo(f"  {msg}"))
        summary = ", ".join(f"{count} {name}" for name, count in made.items())
        click.echo(f"Done: created {summary}." if any(made.values()) else "Done: nothing to add, demo data already there.")

    @app.cli.command("scale-demo")
    @click.option("--products", default=5000, show_default=True, help="Total number of products wanted.")
    def scale_demo_command(products: int) -> None:
        """Copy demo products until the catalogue has --products of them (benchmarks only)."""
        from shop.services.demo import scale_catalogue

        _require_schema()
        made = scale_catalogue(products, progress=lambda msg: click.echo(f"  {msg}"))
        click.echo(f"Done: {made} products added.")

    @app.cli.command("expire-reservations")
    def expire_reservations_command() -> None:
        """Expire unpaid orders past their hold and return their stock (run it from cron)."""
        from shop.services.checkout import expire_overdue_orders

        _require_schema()
        total = 0
        while True:
            expired = expire_overdue_orders()
            total += expired
            if expired == 0:
                break
            click.echo(f"  expired {total} orders so far…")
        click.echo(f"Done: {total} unpaid orders expired and their stock returned.")
