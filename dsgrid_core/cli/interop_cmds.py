"""`dsgrid registry import`: bring a dsgrid-toolkit 0.4 registry into ours in one command.

Kept apart from registry_cmds so that the interoperability commands (reading and writing the
reference toolkit's registry and files) live in one place.
"""

from __future__ import annotations

from pathlib import Path

import click

from dsgrid_core.cli.main import open_registry
from dsgrid_core.cli.output import Progress, emit_json


@click.command("import")
@click.argument("url")
@click.option(
    "--data-path",
    "-p",
    "data_path",
    type=click.Path(file_okay=False, exists=True),
    default=None,
    help="The reference registry's data folder (default: the data_path its database names).",
)
@click.pass_context
def import_cmd(ctx: click.Context, url: str, data_path: str | None) -> None:
    """Import a dsgrid-toolkit 0.4 registry, given by its database URL
    (sqlite:////absolute/path.db), into this registry: every project, dataset, dimension and
    dimension mapping, every version with its log message, submitter and date, and every
    dataset version's data, checked by our registration checks. Ids are kept. Nothing is
    written unless everything imports; ids already in this registry are refused."""
    from dsgrid_core.service.exchange import import_reference  # late: pyarrow

    with open_registry(ctx) as reg:
        report = import_reference(
            reg, url, Path(data_path) if data_path else None, progress=Progress("import")
        )
    if ctx.obj["json"]:
        emit_json({"ok": True, **report.to_dict()})
        return
    for kind, count in report.components.items():
        click.echo(
            f"Imported {count} {kind.replace('_', ' ')}(s), "
            f"{report.versions.get(kind, 0)} version(s)"
        )
    for key, rows in report.dataset_rows.items():
        click.echo(f"  dataset {key}: {rows:,} rows")
    for note in report.notes:
        click.echo(f"Note: {note}")
