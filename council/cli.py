"""The `council` command: serve, worker, migrate, demo, create-admin, audit verify, backup,
restore, export and import.

Its messages speak the operator's language: COUNCIL_LANGUAGE, else the shell's locale (LC_ALL,
LC_MESSAGES, LANG), when it is one the council offers. The help texts stay in English.
"""

from __future__ import annotations

import os
import secrets
import sys
from collections.abc import Mapping
from pathlib import Path

import click

from council import i18n
from council.i18n import gettext as _
from council.i18n import ngettext
from council.settings import LANGUAGES, Settings, SettingsError

LANGUAGE_VARIABLES = ("COUNCIL_LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG")


def cli_language(environ: Mapping[str, str]) -> str:
    """The first variable set decides, as in POSIX: LC_ALL=C means no translation."""
    for name in LANGUAGE_VARIABLES:
        value = environ.get(name, "").strip()
        if value:
            code = value[:2].lower()
            return code if code in LANGUAGES else Settings.default_language
    return Settings.default_language


def _settings() -> Settings:
    try:
        return Settings.from_env()
    except SettingsError as error:
        raise click.ClickException(str(error)) from error


@click.group()
@click.pass_context
def main(context: click.Context) -> None:
    """Council Workspace administration."""
    language = cli_language(os.environ)
    catalogue = i18n.load_catalogues((language,))[language]
    context.with_resource(i18n.speaking(language, catalogue))


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=int)
@click.option("--workers", default=1, show_default=True, type=int)
def serve(host: str, port: int, workers: int) -> None:
    """Serve the workspace over HTTP (and run the worker's jobs, unless
    COUNCIL_WORKER_IN_SERVE=false because `council worker` runs apart)."""
    import uvicorn

    settings = _settings()
    worker = _worker(settings) if settings.worker_in_serve else None
    if worker is not None:
        worker.start_thread()
    try:
        uvicorn.run(
            "council.app:build",
            factory=True,
            host=host,
            port=port,
            workers=workers,
            proxy_headers=True,
            forwarded_allow_ips=list(settings.trusted_proxies),
            # live pages' event streams never end by themselves: cut them on shutdown
            timeout_graceful_shutdown=5,
        )
    finally:
        if worker is not None:
            worker.stop()


def _worker(settings: Settings, tick: float = 1.0):
    from council.database import Database
    from council.extensions import load_extensions
    from council.worker import Worker, all_jobs

    database = Database.from_url(
        settings.database_url, pool_size=1, max_overflow=1, pool_timeout=settings.db_pool_timeout
    )
    return Worker(database, all_jobs(load_extensions(), settings), tick=tick)


@main.command()
@click.option("--once", is_flag=True, help="Run the due jobs once, then stop.")
@click.option(
    "--tick",
    default=1.0,
    show_default=True,
    type=float,
    help="Seconds between two looks for due work.",
)
def worker(once: bool, tick: float) -> None:
    """Run the council's clock: rounds closing at their deadline, chair turnovers, stored
    pages after a release, purges. Several may run at once on PostgreSQL."""
    import logging

    from council.worker import run_due

    logging.basicConfig(level=logging.INFO)
    runner = _worker(_settings(), tick)
    if once:
        done = run_due(runner.database, runner.jobs)
        for name, count in done.items():
            click.echo(f"{name}: {'-' if count is None else count}")
        return
    try:
        runner.run_forever()
    except KeyboardInterrupt:
        runner.stop()


@main.command()
def migrate() -> None:
    """Bring the database schema up to date."""
    from council import schema

    schema.upgrade(_settings().database_url)
    click.echo(_("The database is up to date."))


@main.command()
@click.option("--password", help="Password for every demo account (default: a new random one).")
def demo(password: str | None) -> None:
    """Create or refresh the demo council and print its accounts."""
    from council import demo as demo_data
    from council.database import Database

    settings = _settings()
    password = password or secrets.token_urlsafe(9)
    database = Database.from_url(settings.database_url)
    try:
        with database.transaction() as session:
            accounts = demo_data.build(
                session, password=password, documents_dir=settings.documents_dir
            )
    except demo_data.RealCouncilPresent as refusal:
        raise click.ClickException(str(refusal)) from refusal
    finally:
        database.dispose()
    click.echo(demo_data.accounts_table(accounts, password))


@main.command("create-admin")
@click.argument("email")
@click.option("--name", default="Secretariat", show_default=True)
@click.option(
    "--council-name",
    default="North and Central American Council on Migration",
    show_default=True,
    help="Used when the database holds no council yet.",
)
@click.option("--password", help="Asked for when not given.")
def create_admin(email: str, name: str, council_name: str, password: str | None) -> None:
    """Create a secretariat account (and the council, on an empty database)."""
    from council import seats
    from council.database import Database, utcnow
    from council.errors import Invalid

    if password is None:
        password = click.prompt(
            _("Password"), hide_input=True, confirmation_prompt=_("Repeat the password")
        )
    database = Database.from_url(_settings().database_url)
    try:
        with database.transaction() as session:
            seats.ensure_council(session, name=council_name)
            form = seats.PersonForm(email=email, name=name, is_secretariat=True, password=password)
            person = seats.save_person(session, by=None, form=form, now=utcnow())
    except Invalid as invalid:
        raise click.ClickException(" ".join(invalid.errors.values())) from invalid
    finally:
        database.dispose()
    click.echo(_("Created secretariat account %(email)s.", email=person.email))


@main.group()
def audit() -> None:
    """The audit log."""


@audit.command()
@click.option(
    "--published",
    is_flag=True,
    help="Also look for the digest stored with every published recommendation.",
)
@click.option(
    "--head",
    "heads",
    multiple=True,
    metavar="DIGEST",
    help="A digest kept elsewhere (from a recommendation's page, the API or the "
    "Atom feed) that the log must hold. Repeatable.",
)
@click.option(
    "--feed",
    "feeds",
    multiple=True,
    type=click.Path(exists=True, dir_okay=False),
    help="A copy of the Atom feed kept elsewhere: every digest in it. Repeatable.",
)
def verify(published: bool, heads: tuple[str, ...], feeds: tuple[str, ...]) -> None:
    """Recompute the hash chain and hold it to its signed checkpoints (and to published
    digests); exit 1 naming the first bad record."""
    from council import audit as audit_log
    from council.database import Database
    from council.extensions import load_extensions, published_heads

    settings = _settings()
    given = [(digest, digest) for digest in heads]
    for feed in feeds:
        given += audit_log.heads_in_feed(Path(feed).read_bytes(), source=feed)
    database = Database.from_url(settings.database_url)
    try:
        with database.session() as session:
            if published:
                given += published_heads(load_extensions(), session)
            result = audit_log.verify(
                session,
                key=audit_log.settings_key(settings),
                checkpoint_file=audit_log.checkpoint_path(settings),
                heads=given,
            )
    finally:
        database.dispose()
    if result.latest_checkpoint is None:
        click.echo(
            _(
                "No signed checkpoint yet: records removed from the end of the log would "
                "go unnoticed. The worker signs one every minute."
            ),
            err=True,
        )
    else:
        click.echo(
            ngettext(
                "%(num)s signed checkpoint agrees with the chain.",
                "%(num)s signed checkpoints agree with the chain.",
                result.checkpoints,
            )
            + " "
            + _(
                "The latest, signed at %(time)s, counts %(count)s records.",
                time=result.latest_checkpoint.at,
                count=result.latest_checkpoint.count,
            )
        )
    if given:
        click.echo(
            ngettext(
                "%(num)s published digest was found in the log.",
                "%(num)s published digests were found in the log.",
                result.heads,
            )
        )
    if result.ok:
        click.echo(
            ngettext(
                "The audit log is intact: %(num)s record verified.",
                "The audit log is intact: %(num)s records verified.",
                result.checked,
            )
        )
        return
    if result.first_bad_id is not None:
        click.echo(
            _(
                "The audit log is broken at record %(id)s: %(problem)s.",
                id=result.first_bad_id,
                problem=result.problem,
            ),
            err=True,
        )
    else:
        click.echo(_("The audit log is broken: %(problem)s.", problem=result.problem), err=True)
    sys.exit(1)


@audit.command()
def checkpoint() -> None:
    """Sign a checkpoint of the chain's head now (the worker does every minute)."""
    from council import audit as audit_log
    from council.database import Database

    settings = _settings()
    database = Database.from_url(settings.database_url)
    try:
        with database.transaction() as session:
            done = audit_log.checkpoint(
                session,
                key=audit_log.settings_key(settings),
                path=audit_log.checkpoint_path(settings),
            )
    except audit_log.ChainBroken as broken:
        raise click.ClickException(str(broken)) from broken
    finally:
        database.dispose()
    click.echo(
        _("Signed a checkpoint of the audit log.")
        if done
        else _("The latest checkpoint already covers the whole audit log.")
    )


@main.command()
@click.argument("path", type=click.Path(file_okay=False))
def backup(path: str) -> None:
    """Copy the council (database, var files, a manifest of every table's rows) into PATH, a
    new folder, while it runs."""
    from council import backup as backups

    manifest = _operation(backups.backup, Path(path))
    total = sum(table["rows"] for table in manifest["tables"].values())
    click.echo(
        ngettext(
            "Backed up %(num)s row and the var files to %(path)s.",
            "Backed up %(num)s rows and the var files to %(path)s.",
            total,
            path=path,
        )
    )


@main.command()
@click.argument("path", type=click.Path(exists=True, file_okay=False))
def restore(path: str) -> None:
    """Restore the backup in PATH into this council's empty database, then check every
    table against its manifest and verify the audit chain."""
    from council import backup as backups

    _report(_operation(backups.restore, Path(path)), path)


@main.command("export")
@click.argument("path", type=click.Path(file_okay=False))
def export_(path: str) -> None:
    """Write the whole council into PATH, a new folder, as an archive another instance (on
    SQLite or PostgreSQL) can import: JSON records, Markdown texts, the var files."""
    from council import archive

    manifest = _operation(archive.export, Path(path))
    total = sum(table["rows"] for table in manifest["tables"].values())
    click.echo(
        ngettext(
            "Exported %(num)s row, the texts and the var files to %(path)s.",
            "Exported %(num)s rows, the texts and the var files to %(path)s.",
            total,
            path=path,
        )
    )


@main.command("import")
@click.argument("path", type=click.Path(exists=True, file_okay=False))
def import_(path: str) -> None:
    """Load the archive in PATH into this council's empty database, then check every table
    against its manifest and verify the audit chain."""
    from council import archive

    _report(_operation(archive.import_, Path(path)), path)


def _operation(act, path: Path):
    """Run a backup, restore, export or import; what stops it said in one line."""
    from sqlalchemy.exc import DBAPIError

    from council.backup import OperationError

    settings = _settings()
    try:
        return act(settings, path)
    except OperationError as error:
        raise click.ClickException(str(error)) from error
    except DBAPIError as error:
        raise click.ClickException(
            _("The database cannot be reached: %(error)s", error=str(error.orig).strip())
        ) from error


def _report(restored, path: str) -> None:
    """What a restore or an import found when it checked the council it loaded; exit 1 when
    something does not agree."""
    from council import schema

    if restored.problems:
        click.echo(
            _(
                "The loaded rows differ from the manifest: %(problems)s.",
                problems="; ".join(restored.problems[:10]),
            ),
            err=True,
        )
    else:
        click.echo(
            ngettext(
                "Loaded %(num)s row from %(path)s: every table agrees with the manifest.",
                "Loaded %(num)s rows from %(path)s: every table agrees with the manifest.",
                restored.rows,
                path=path,
            )
        )
    result = restored.verification
    if result.ok:
        click.echo(
            ngettext(
                "The audit log is intact: %(num)s record verified.",
                "The audit log is intact: %(num)s records verified.",
                result.checked,
            )
        )
    elif result.first_bad_id is not None:
        click.echo(
            _(
                "The audit log is broken at record %(id)s: %(problem)s.",
                id=result.first_bad_id,
                problem=result.problem,
            ),
            err=True,
        )
    else:
        click.echo(_("The audit log is broken: %(problem)s.", problem=result.problem), err=True)
    if restored.other_key:
        click.echo(
            _(
                "The chain itself is intact: set COUNCIL_AUDIT_KEY (or COUNCIL_SECRET_KEY) "
                "to the key of the council that was copied (in development, copy its "
                "var/secret_key), then run council audit verify."
            ),
            err=True,
        )
    if restored.manifest.get("schema_version") != schema.head():
        click.echo(
            _(
                "This release of the workspace has a newer schema: run council migrate "
                "before serving."
            )
        )
    if not restored.ok:
        sys.exit(1)


if __name__ == "__main__":
    main()
