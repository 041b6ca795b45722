"""flask commands: `flask --app run.py seed-demo`, `scale-demo`."""
from __future__ import annotations

import click
from flask import Flask, current_app
from sqlalchemy import inspect

from shop.extensions import db
from shop.services.demo.impact import seed_demo_impact
from shop.services.demo.seed import demo_accounts, scale_catalogue, seed_demo, seed_demo_accounts
from shop.services.ordering.lifecycle import expire_overdue_orders
from shop.services.payments.stripe_checkout import missing_settings, orders_awaiting_stripe, refresh_order
from shop.services.people.accounts import EmailTaken, register


def _require_schema() -> None:
    if not inspect(db.engine).has_table("product"):
        raise click.ClickException(
            "The database has no tables yet. Run `flask --app run.py db upgrade` first, then try again."
        )


def register_commands(app: Flask) -> None:
    @app.cli.command("seed-demo")
    def seed_demo_command() -> None:
        """Load the nine centres and the demo products (safe to run again)."""
        _require_schema()
        click.echo("Loading DEMO data (invented products, for trying the shop)…")
        made = seed_demo(current_app.config["MEDIA_FOLDER"], progress=lambda msg: click.echo(f"  {msg}"))
        made["accounts"] = seed_demo_accounts()
        made["impact"] = seed_demo_impact()
        summary = ", ".join(f"{count} {name}" for name, count in made.items())
        click.echo(f"Done: created {summary}." if any(made.values()) else "Done: nothing to add, demo data already there.")
        click.echo("Demo sign-ins (demo data only; never use these on a real shop):")
        for email, password, what in demo_accounts():
            click.echo(f"  {email:42} {password:28} {what}")

    @app.cli.command("scale-demo")
    @click.option("--products", default=5000, show_default=True, help="Total number of products wanted.")
    def scale_demo_command(products: int) -> None:
        """Copy demo products until the catalogue has --products of them (benchmarks only)."""
        _require_schema()
        made = scale_catalogue(products, progress=lambda msg: click.echo(f"  {msg}"))
        click.echo(f"Done: {made} products added.")

    @app.cli.command("expire-reservations")
    def expire_reservations_command() -> None:
        """Expire unpaid orders past their hold and return their stock (run it from cron)."""
        _require_schema()
        total = 0
        while True:
            expired = expire_overdue_orders()
            total += expired
            if expired == 0:
                break
            click.echo(f"  expired {total} orders so far…")
        click.echo(f"Done: {total} unpaid orders expired and their stock returned.")

    @app.cli.command("create-admin")
    @click.option("--email", prompt=True, help="The admin's email address.")
    @click.option("--name", default="", help="The admin's name.")
    @click.password_option(help="At least 10 characters.")
    def create_admin_command(email: str, name: str, password: str) -> None:
        """Make an association admin (the first one on a new installation)."""
        _require_schema()
        if len(password) < 10:
            raise click.ClickException("The password must have at least 10 characters. Try again with a longer one.")
        try:
            user = register(email, password, name or email.split("@")[0], "th", role="admin")
        except EmailTaken:
            raise click.ClickException(f"{email} already has an account. Use another email, or sign in with it.") from None
        click.echo(f"Admin account {user.email} created. Sign in at /account/sign-in, then open /backoffice/.")

    @app.cli.command("stripe-check")
    def stripe_check_command() -> None:
        """Say whether Stripe payments are set up, and what is missing."""
        missing = missing_settings(current_app.config)
        if missing:
            raise click.ClickException(
                "Stripe payments are off. Set " + " and ".join(missing) + " in the environment or .env "
                "(Dashboard → Developers → API keys; the webhook secret comes from the endpoint for "
                "/webhooks/stripe), then restart the shop."
            )
        click.echo("Stripe payments are on: card and PromptPay through Stripe Checkout.")

    @app.cli.command("stripe-reconcile")
    def stripe_reconcile_command() -> None:
        """Ask Stripe about every order still awaiting a Stripe payment (for lost webhooks)."""
        _require_schema()
        if missing_settings(current_app.config):
            raise click.ClickException("Stripe is not set up: run `flask --app run.py stripe-check`.")
        orders = orders_awaiting_stripe()
        click.echo(f"{len(orders)} orders await a Stripe payment.")
        for index, order_id in enumerate(orders, start=1):
            outcome = refresh_order(order_id)
            click.echo(f"  {index}/{len(orders)} order {order_id}: {outcome}")
        click.echo("Done.")
