"""``flask --app webapp …`` commands: thin wrappers over the same operations the views call."""

from __future__ import annotations

import click
from alembic import command
from flask import Flask, current_app
from flask.cli import AppGroup, with_appcontext
from sqlmodel import select

from cases.db import transaction
from cases.errors import DomainError, ValidationError
from cases.migrate import alembic_config
from cases.users.models import LawFirm, Role, User
from cases.users.operations import create_user, get_or_create_firm, issue_token


def _url() -> str:
    return current_app.extensions["qingshou_settings"].DATABASE_URL


def _factory():
    return current_app.extensions["qingshou_db"].session_factory


def _fail(exc: DomainError) -> None:
    if isinstance(exc, ValidationError):
        lines = [f"{field}: {msg}" for field, msgs in exc.errors.items() for msg in msgs]
        raise click.ClickException("; ".join(lines))
    raise click.ClickException(str(exc.message))


db_cli = AppGroup("db", help="Database migrations (Alembic).")


@db_cli.command("upgrade")
@click.argument("revision", default="head")
def db_upgrade(revision: str) -> None:
    """Apply migrations up to REVISION (default: head)."""
    command.upgrade(alembic_config(_url()), revision)


@db_cli.command("downgrade")
@click.argument("revision", default="-1")
def db_downgrade(revision: str) -> None:
    """Revert migrations down to REVISION (default: one step)."""
    command.downgrade(alembic_config(_url()), revision)


@db_cli.command("current")
def db_current() -> None:
    command.current(alembic_config(_url()), verbose=False)


@db_cli.command("check")
def db_check() -> None:
    """Fail if the models differ from the migrated schema."""
    command.check(alembic_config(_url()))


@db_cli.command("revision")
@click.option("-m", "--message", required=True)
@click.option("--autogenerate/--empty", default=True)
def db_revision(message: str, autogenerate: bool) -> None:
    command.revision(alembic_config(_url()), message=message, autogenerate=autogenerate)


users_cli = AppGroup("users", help="User accounts and API tokens.")


@users_cli.command("create")
@click.argument("email")
@click.option("--role", type=click.Choice([r.value for r in Role]), required=True)
@click.option("--firm", "firm_name", default=None, help="Law firm (required for counsel).")
@click.option("--name", default=None)
@click.option("--password", prompt=True, hide_input=True, confirmation_prompt=True)
def users_create(
    email: str, role: str, firm_name: str | None, name: str | None, password: str
) -> None:
    """Create a user."""
    try:
        with transaction(_factory()) as session:
            firm = get_or_create_firm(session, firm_name) if firm_name else None
            user = create_user(
                session,
                {
                    "email": email,
                    "name": name or email.split("@")[0],
                    "role": role,
                    "firm_id": firm.id if firm else None,
                    "password": password,
                },
            )
            click.echo(f"created user {user.id} {user.email} ({user.role.value})")
    except DomainError as exc:
        _fail(exc)


@users_cli.command("token")
@click.argument("email")
@click.option("--label", default="cli")
def users_token(email: str, label: str) -> None:
    """Print a new API token for EMAIL (shown once; only its hash is stored)."""
    with transaction(_factory()) as session:
        user = session.exec(select(User).where(User.email == email.lower())).first()
        if user is None:
            raise click.ClickException(f"no user {email}")
        session.info["actor_id"] = user.id
        click.echo(issue_token(session, user, label))


demo_cli = AppGroup("demo", help="Demonstration data.")


@demo_cli.command("load")
@click.option("--cases", "count", default=240, show_default=True)
@click.option("--seed", default=2026, show_default=True)
def demo_load(count: int, seed: int) -> None:
    """Load demo creditors, firms, users and cases (once; does nothing if users exist)."""
    from cases.demo import DEMO_PASSWORD, load_demo

    with transaction(_factory()) as session:
        if session.exec(select(User.id)).first() is not None:
            click.echo("demo data already present")
        else:
            load_demo(session, cases=count, seed=seed)
        firms = {firm.id: firm.name for firm in session.exec(select(LawFirm))}
        click.echo(f"demo logins (password: {DEMO_PASSWORD}):")
        for user in session.exec(select(User).order_by(User.id)):
            firm = f"  {firms[user.firm_id]}" if user.firm_id in firms else ""
            click.echo(f"  {user.role.value:<11} {user.email:<32} {user.name}{firm}")


@click.command("worker")
@click.option("--workers", default=2, show_default=True, help="Worker threads.")
@with_appcontext
def worker(workers: int) -> None:
    """Run a job-queue worker (bulk document runs) until stopped with Ctrl-C / SIGTERM."""
    queue = current_app.extensions["qingshou_queue"]
    click.echo(f"Qingshou worker: {workers} threads on {type(queue.huey).__name__}")
    queue.huey.create_consumer(workers=workers, worker_type="thread").run()


@click.command("digest")
@click.option(
    "--date", "day", type=click.DateTime(["%Y-%m-%d"]), default=None, help="Default: today."
)
@with_appcontext
def digest(day) -> None:
    """Make the daily deadlines digest (in-app; email when QS_SMTP_HOST is set). Safe to
    run again: a user gets one digest a day, and unsent emails are retried."""
    from webapp.blueprints.board import run_digest

    report = run_digest(current_app._get_current_object(), day.date() if day else None)
    click.echo(
        f"digest {report.day.isoformat()}: {report.notifications} new, "
        f"{report.emails} emailed, {report.failed} emails failed"
    )
    if report.failed:
        raise click.ClickException(f"{report.failed} digest emails could not be sent")


def register_cli(app: Flask) -> None:
    app.cli.add_command(digest)
    app.cli.add_command(db_cli)
    app.cli.add_command(users_cli)
    app.cli.add_command(demo_cli)
    app.cli.add_command(worker)
