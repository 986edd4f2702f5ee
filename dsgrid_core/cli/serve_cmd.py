"""`dsgrid serve`: run the web viewer on one machine."""

from __future__ import annotations

import os
from pathlib import Path

import click

from dsgrid_core.settings import get as setting

REGISTRY_ENV_VAR = "DSGRID_REGISTRY"


def _registry_from(ctx: click.Context) -> str | None:
    """The registry given to the main group (`--registry`), else env DSGRID_REGISTRY."""
    obj = ctx.find_object(dict) or {}
    registry = obj.get("registry") or setting(REGISTRY_ENV_VAR)
    return os.fspath(registry) if registry else None


@click.command("serve")
@click.option(
    "--host",
    default="127.0.0.1",
    show_default=True,
    help=(
        "Address to listen on. The default, loopback, keeps the viewer private to this "
        "machine: it has no login, so use 0.0.0.0 only on a network you trust "
        "(or put it behind a proxy with authentication)."
    ),
)
@click.option(
    "--port",
    default=8050,
    show_default=True,
    type=click.IntRange(1, 65535),
    help="TCP port to listen on.",
)
@click.option(
    "--read-only",
    is_flag=True,
    help="Browse and query only: the forms and the write routes of the API are off.",
)
@click.option(
    "--api-url",
    metavar="URL",
    help="Show the registry of another dsgrid-viewer server through its /api/v1 (a team's "
    "API server, a cloud registry) instead of a registry folder: no registry is needed here. "
    "Queries run on that server; registrations are made there.",
)
@click.option(
    "--debug/--no-debug",
    default=False,
    show_default=True,
    help="Dash debug mode: reload on code changes and show tracebacks in the browser. "
    "Never on a shared server.",
)
@click.pass_context
def serve(
    ctx: click.Context, host: str, port: int, read_only: bool, api_url: str | None, debug: bool
) -> None:
    """Start the web viewer on the registry given with --registry (or DSGRID_REGISTRY), or on
    a remote server's registry with --api-url.

    On an address other than loopback, changes to the registry need the access token of
    DSGRID_API_TOKEN (without one, writes are off)."""
    registry = _registry_from(ctx)
    if api_url:
        if (ctx.find_object(dict) or {}).get("registry"):
            raise click.UsageError(
                "give either --registry (a folder here) or --api-url (a server's registry)."
            )
        _serve_remote(api_url, host=host, port=port, read_only=read_only, debug=debug)
        return
    if registry is None:
        click.echo(
            "No registry given (--registry PATH or DSGRID_REGISTRY): "
            "the viewer starts with nothing to show.",
            err=True,
        )
    elif not Path(registry).is_dir():
        raise click.UsageError(
            f"The registry folder {registry} does not exist. Create one with "
            f"`dsgrid registry create {registry}`, or a demo one with `dsgrid demo {registry}`."
        )

    if registry is not None and (Path(registry) / "registry.db").exists():
        # Jobs that a previous server left running died with it: record that.
        from dsgrid_core.service.housekeeping import (  # late: keeps dsgrid --help fast
            mark_interrupted_jobs,
        )

        marked = mark_interrupted_jobs(registry)
        if marked:
            click.echo(f"Marked {marked} interrupted job(s) as failed.", err=True)

    # Imported here so that `dsgrid --help` and the registry commands never load Dash.
    from app import create_app  # late: dash

    app = create_app(registry, host=host, read_only=read_only)
    app.run(host=host, port=port, debug=debug)


def _serve_remote(api_url: str, *, host: str, port: int, read_only: bool, debug: bool) -> None:
    """The viewer on a remote API: checked once at start, so a wrong URL fails here."""
    from dsgrid_core.service.remote_viewer import RemoteViewer  # late: keeps dsgrid --help fast

    remote = RemoteViewer(api_url, token=setting("DSGRID_API_URL_TOKEN"))
    remote.state()  # RemoteError (exit 2) when nothing answers as a dsgrid-viewer API
    click.echo(f"Showing the registry of {remote.label}.", err=True)

    from app import create_app  # late: dash

    app = create_app(
        None,
        host=host,
        read_only=read_only,
        api_url=api_url,
        api_url_token=setting("DSGRID_API_URL_TOKEN"),
    )
    app.run(host=host, port=port, debug=debug)
