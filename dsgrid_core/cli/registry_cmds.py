"""`dsgrid registry ...`: create a registry and manage its components."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from dsgrid_core.cli.component_cmds import make_kind_group
from dsgrid_core.cli.main import (
    DsgridGroup,
    data_root_option,
    open_registry,
    report_dir_option,
)
from dsgrid_core.cli.output import Progress, emit_json, emit_table
from dsgrid_core.errors import InputError

KIND_GROUPS = {
    "projects": "project",
    "datasets": "dataset",
    "dimensions": "dimension",
    "dimension-mappings": "dimension_mapping",
}


@click.group("registry", cls=DsgridGroup)
def registry() -> None:
    """Create and manage a registry of projects, datasets, dimensions and mappings."""


@registry.command("create")
@click.argument("path", type=click.Path())
@click.option(
    "--data-root",
    "data_root",
    type=click.Path(file_okay=False),
    help="Where the Parquet data goes: a new or empty folder (required for an arangodb:// "
    "registry), or an empty s3://bucket/prefix on an object store (credentials from the AWS "
    "environment variables or profile). A folder registry keeps its data in PATH/data "
    "otherwise.",
)
@click.pass_context
def registry_create(ctx: click.Context, path: str, data_root: str | None) -> None:
    """Create an empty registry in PATH: a new or empty folder, or an ArangoDB database given
    as arangodb://[user@]host:port/database (password in DSGRID_ARANGO_PASSWORD or
    DSGRID_ARANGO_PASSWORD_FILE)."""
    from dsgrid_core.service.housekeeping import (  # late: keeps dsgrid --help fast
        create_registry,
        is_url,
    )

    registry_obj = create_registry(path, data_root=data_root)
    registry_obj.close()
    if not is_url(path):
        if ctx.obj["json"]:
            out = {"ok": True, "path": str(Path(path).resolve())}
            if data_root is not None:
                out["data_root"] = str(registry_obj.data.root)
            emit_json(out)
        elif data_root is not None:
            click.echo(f"Created registry {path} (data in {registry_obj.data.root})")
        else:
            click.echo(f"Created registry {path}")
        return
    if ctx.obj["json"]:
        emit_json(
            {
                "ok": True,
                "location": registry_obj.location,
                "path": str(registry_obj.path),
                "data_root": str(registry_obj.data.root),
            }
        )
    else:
        click.echo(
            f"Created registry {registry_obj.location} (data in {registry_obj.data.root}, "
            f"jobs and cache in {registry_obj.path})"
        )


for _name, _kind in KIND_GROUPS.items():
    registry.add_command(make_kind_group(_name, _kind))
registry.lazy_commands = {"import": "dsgrid_core.cli.interop_cmds:import_cmd"}
from dsgrid_core.cli.project_cmds import (  # noqa: E402 - the reference's commands
    AUTOGEN_TYPES,
    PROJECT_COMMANDS,
)

for _command in PROJECT_COMMANDS:
    registry.get_command(None, "projects").add_command(_command)


@registry.get_command(None, "projects").command("submit-dataset")
@click.option("--project", "-p", "project_id", required=True)
@click.option("--dataset", "-d", "dataset_id", required=True)
@click.option(
    "--mappings",
    "-m",
    "mappings_file",
    type=click.Path(),
    help="dimension_mappings.json5 mapping dataset dimensions to the project's.",
)
@click.option(
    "--autogen-reverse-supplemental-mappings",
    "-a",
    "autogen",
    multiple=True,
    type=click.Choice(AUTOGEN_TYPES),
    help="A dimension type whose dataset dimension is one of the project's supplemental "
    "dimensions and has no mapping in -m: map it to the project's base dimension by "
    "reversing the project's mapping (repeatable).",
)
@click.option("--log-message", "-l", default=None)
@data_root_option
@report_dir_option
@click.pass_context
def submit_dataset_cmd(
    ctx, project_id, dataset_id, mappings_file, autogen, log_message, data_roots, report_dir
):
    """Submit a registered dataset to a project (checks it, bumps the project version)."""
    with open_registry(ctx) as reg:
        result = reg.submit_dataset(
            project_id,
            dataset_id,
            Path(mappings_file) if mappings_file else None,
            log_message or f"submitted dataset {dataset_id}",
            data_roots=[Path(p) for p in data_roots],
            report_dir=Path(report_dir) if report_dir else None,
            progress=Progress(f"submit {dataset_id}"),
            autogen_reverse=list(autogen),
        )
    if ctx.obj["json"]:
        emit_json({"ok": True, **result})
    else:
        click.echo(
            f"Submitted dataset {dataset_id} to project {project_id}; project is now "
            f"version {result['project_version']}"
        )


@registry.command("bulk-register")
@click.argument("bulk_file", type=click.Path())
@click.option("--log-message", "-l", default=None)
@data_root_option
@report_dir_option
@click.pass_context
def bulk_register_cmd(ctx, bulk_file, log_message, data_roots, report_dir):
    """Register projects, datasets and submissions listed in BULK_FILE."""
    with open_registry(ctx) as reg:
        done = reg.bulk_register(
            Path(bulk_file),
            log_message=log_message,
            data_roots=[Path(p) for p in data_roots],
            report_dir=Path(report_dir) if report_dir else None,
            progress=Progress("bulk-register"),
        )
    if ctx.obj["json"]:
        emit_json({"ok": True, "items": done})
    else:
        for item in done:
            click.echo(f"Registered {item['kind']} {item['id']} (version {item['version']})")


@registry.command("deps")
@click.argument("component_id")
@click.option("--kind", type=click.Choice(["project", "dataset", "dimension", "dimension_mapping"]))
@click.option("--version", help="Version whose dependencies to show (default: latest).")
@click.pass_context
def deps_cmd(ctx, component_id, kind, version):
    """What COMPONENT_ID uses, and what uses it."""
    with open_registry(ctx, read_only=True) as reg:
        summary = reg.find(component_id, kind)
        record = reg.show(summary.kind, component_id, version)
        uses = [
            {"kind": d.kind, "id": d.id, "version": d.version}
            for d in reg.dependencies(summary.kind, component_id, record.version)
        ]
        used_by = [
            {"kind": d.kind, "id": d.id, "version": d.version, "uses_version": v}
            for d, v in reg.dependents(summary.kind, component_id)
        ]
    if ctx.obj["json"]:
        emit_json(
            {
                "id": component_id,
                "kind": summary.kind,
                "version": record.version,
                "uses": uses,
                "used_by": used_by,
            }
        )
        return
    click.echo(f"{summary.kind.replace('_', ' ')} {component_id} {record.version} uses:")
    emit_table(uses, ["kind", "id", "version"])
    click.echo("\nused by:")
    emit_table(used_by, ["kind", "id", "version", "uses_version"])


def _open_recovering(ctx):
    """The registry read-only, after removing the leftovers of killed work when this process
    can write there (see dsgrid_core.registry.recovery)."""
    from dsgrid_core.service import open_registry  # late: keeps dsgrid --help fast

    path = ctx.obj.get("registry")
    if not path:
        raise InputError("no registry given: use --registry PATH or set DSGRID_REGISTRY.")
    return open_registry(path, read_only=True, recover=True)


def _recovered_text(recovered: dict[str, int]) -> str:
    names = {
        "data_folders": "staging or unfinished data folder(s)",
        "query_results": "unfinished query result(s)",
        "jobs": "job(s) of dead processes marked failed",
    }
    return ", ".join(f"{n} {names.get(k, k)}" for k, n in recovered.items() if n)


@registry.command("check")
@click.option(
    "--quick", is_flag=True, help="Compare data file sizes only; skip the SHA-256 of every file."
)
@click.pass_context
def check_cmd(ctx, quick):
    """Verify the registry: database integrity, versions, dependencies, every dataset version's
    data file (size and SHA-256), records, and leftovers of unfinished work. Leftovers of killed
    work are removed first when you can write to the registry (as any write would); otherwise
    they are listed as recoverable. Exit 1 when something is wrong."""
    with _open_recovering(ctx) as reg:
        report = reg.check(hashes=not quick)
        recovered = reg.recovered
    damage, recoverable = report.damage, report.recoverable
    if ctx.obj["json"]:
        emit_json({**report.to_dict(), "recovered": recovered})
    else:
        counted = report.counted
        if _recovered_text(recovered):
            click.echo(f"Recovered leftovers of interrupted work: {_recovered_text(recovered)}.")
        click.echo(
            f"Checked {counted.get('components', 0)} components, "
            f"{counted.get('versions', 0)} versions, "
            f"{counted.get('data_bytes_hashed', 0) / 2**20:,.1f} MiB of data hashed."
        )
        if not damage:
            click.echo("The registry is whole.")
        else:
            click.echo(f"{len(damage)} problem(s):")
            for finding in damage[:50]:
                click.echo(f"  {finding.line()}")
            if len(damage) > 50:
                click.echo(f"  ... and {len(damage) - 50} more (--json lists all)")
        if recoverable:
            click.echo(
                f"{len(recoverable)} recoverable leftover(s) of interrupted work (not damage; "
                "readers never see them). This process cannot write here to remove them: any "
                "write, or `dsgrid registry recover` by someone who can, removes them:"
            )
            for finding in recoverable[:20]:
                click.echo(f"  {finding.line()}")
    if damage:
        sys.exit(1)


@registry.command("recover")
@click.pass_context
def recover_cmd(ctx):
    """Remove the leftovers of killed work (staging folders, unfinished data and query results)
    and mark jobs of dead processes failed, as opening the registry for writing does."""
    from dsgrid_core.service.housekeeping import (  # late: keeps dsgrid --help fast
        can_write,
        recover_registry,
    )

    path = ctx.obj.get("registry")
    with open_registry(ctx, read_only=True) as reg:
        if not can_write(reg):
            raise InputError(
                f"cannot write to {path} (or its data folder): recovery removes files there. "
                "Run it as a user who can write to the registry."
            )
        recovered = recover_registry(reg)
    if ctx.obj["json"]:
        emit_json({"ok": True, "recovered": recovered})
    else:
        click.echo(f"Recovered: {_recovered_text(recovered) or 'nothing was left to recover'}.")


@registry.command("copy")
@click.option("--from", "source", required=True, help="The registry to copy: folder or URL.")
@click.option(
    "--to",
    "target",
    required=True,
    help="Where to copy it: an empty registry, or a folder that does not exist or is empty "
    "(made a registry here), or with --data-root a new registry of any kind.",
)
@click.option(
    "--data-root",
    "data_root",
    help="Create the target with its data here: a new or empty folder (needed for an "
    "arangodb:// target that does not exist yet) or an empty s3://bucket/prefix.",
)
@click.option(
    "--rewrite-summaries",
    is_flag=True,
    help="Write each dataset version's summaries again in the copy, as a registration writes "
    "them today (kinds added since, DSGRID_SUMMARY_SHARE), instead of copying them; the "
    "tables are copied unchanged.",
)
@click.pass_context
def copy_cmd(ctx, source, target, data_root, rewrite_summaries):
    """Copy a whole registry into an empty one: every component with all its versions in
    their order, history, dependencies, records, and every dataset version's data files
    (checked against their recorded sizes and SHA-256 after copying). Works between any
    stores and data locations (folder, arangodb:// URL, s3:// data). A target that is not
    empty is refused (exit 2); a failure part-way leaves the target as it was."""
    from dsgrid_core.service.housekeeping import copy_registry  # late: keeps dsgrid --help fast

    report, shown, root = copy_registry(
        source,
        target,
        data_root=data_root,
        rewrite_summaries=rewrite_summaries,
        progress=Progress("copy"),
    )
    if ctx.obj["json"]:
        emit_json({"ok": True, "location": shown, "data_root": root, **report.to_dict()})
    else:
        click.echo(
            f"Copied {report.components} components ({report.versions} versions, "
            f"{report.dataset_versions} dataset versions, {report.data_bytes / 2**20:,.1f} MiB "
            f"of data) to {shown} (data in {root})."
        )
