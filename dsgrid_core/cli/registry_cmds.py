"""`dsgrid registry ...`: create a registry and manage its components."""

from __future__ import annotations

from pathlib import Path

import click

from dsgrid_core.cli.main import (
    DsgridGroup,
    data_root_option,
    open_registry,
    report_dir_option,
)
from dsgrid_core.cli.output import Progress, emit_json, emit_table

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
    from dsgrid_core.registry.location import is_url
    from dsgrid_core.registry.registry import Registry

    registry_obj = Registry.create(path, data_root=data_root)
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


def _summary_row(s) -> dict:
    return {
        "id": s.id,
        "version": s.version,
        "name": s.name,
        "type": s.type,
        "kind": s.kind,
        "description": s.description,
        "updated_at": s.updated_at,
    }


def _version_dict(registry_obj, record) -> dict:
    summary = registry_obj.get(record.kind, record.id)
    out = {
        "id": record.id,
        "kind": record.kind,
        "version": record.version,
        "latest_version": summary.version,
        "name": summary.name,
        "type": summary.type,
        "description": summary.description,
        "log_message": record.log_message,
        "submitter": record.submitter,
        "registered_at": record.registered_at,
        "row_count": record.row_count,
        "size_bytes": record.size_bytes,
        "data_path": record.data_path,
        "sha256": record.sha256,
        "config": record.config,
        **{k: v for k, v in record.extra.items() if k != "hash"},
    }
    return {k: v for k, v in out.items() if v is not None}


def make_kind_group(group_name: str, kind: str) -> click.Group:
    @click.group(group_name, cls=DsgridGroup)
    def group() -> None:
        pass

    group.help = f"Commands for {group_name.replace('-', ' ')}."

    @group.command("list")
    @click.option("--type", "type_", help="Only this type (dimension type, dataset type).")
    @click.option("--name", help="Only names containing this text.")
    @click.option("--filter", "text", help="Only ids, names or descriptions containing this.")
    @click.pass_context
    def list_cmd(ctx, type_, name, text):
        """List registered components (latest versions)."""
        with open_registry(ctx, read_only=True) as reg:
            rows = [_summary_row(s) for s in reg.list(kind, type=type_, name=name, text=text)]
        if ctx.obj["json"]:
            emit_json(rows)
        else:
            emit_table(rows, ["id", "version", "type", "name"])

    @group.command("show")
    @click.argument("component_id")
    @click.option("--version", help="Version to show (default: latest).")
    @click.pass_context
    def show_cmd(ctx, component_id, version):
        """Show one component at a version."""
        with open_registry(ctx, read_only=True) as reg:
            record = reg.show(kind, component_id, version)
            data = _version_dict(reg, record)
            if kind == "dimension":
                data["record_count"] = len(
                    reg.store.dimension_records(component_id, record.version)
                )
        if ctx.obj["json"]:
            emit_json(data)
        else:
            for key in (
                "id",
                "kind",
                "name",
                "type",
                "version",
                "latest_version",
                "description",
                "registered_at",
                "submitter",
                "log_message",
                "row_count",
                "size_bytes",
                "record_count",
                "data_path",
            ):
                if key in data and data[key] not in ("", None):
                    click.echo(f"{key:>15}: {data[key]}")

    @group.command("history")
    @click.argument("component_id")
    @click.pass_context
    def history_cmd(ctx, component_id):
        """Every version with its log message."""
        with open_registry(ctx, read_only=True) as reg:
            rows = [
                {
                    "version": r.version,
                    "registered_at": r.registered_at,
                    "submitter": r.submitter,
                    "log_message": r.log_message,
                }
                for r in reg.history(kind, component_id)
            ]
        if ctx.obj["json"]:
            emit_json(rows)
        else:
            emit_table(rows, ["version", "registered_at", "submitter", "log_message"])

    @group.command("register")
    @click.argument("config_file", type=click.Path())
    @click.option("--log-message", "-l", required=True, help="Why it is registered.")
    @data_root_option
    @report_dir_option
    @click.option(
        "--data-path",
        type=click.Path(),
        hidden=kind != "dataset",
        help="Folder with load_data files, for configs without data_file.",
    )
    @click.pass_context
    def register_cmd(ctx, config_file, log_message, data_roots, report_dir, data_path):
        """Register the component(s) described in CONFIG_FILE."""
        progress = Progress(f"register {Path(config_file).name}")
        with open_registry(ctx) as reg:
            kw = {"data_roots": [Path(p) for p in data_roots]}
            if kind == "dataset":
                kw.update(
                    report_dir=Path(report_dir) if report_dir else None,
                    data_path=Path(data_path) if data_path else None,
                    progress=progress,
                )
                plan = reg.register_dataset(Path(config_file), log_message, **kw)
                items = [
                    {
                        "id": plan.config.dataset_id,
                        "version": "1.0.0",
                        "row_count": reg.show("dataset", plan.config.dataset_id).row_count,
                    }
                ]
            elif kind == "project":
                plan = reg.register_project(Path(config_file), log_message, **kw)
                items = [{"id": plan.config.project_id, "version": "1.0.0"}]
            elif kind == "dimension":
                preps = reg.register_dimension(Path(config_file), log_message, **kw)
                items = [{"id": p.id, "version": p.version, "name": p.name} for p in preps]
            else:
                preps = reg.register_mapping(Path(config_file), log_message, **kw)
                items = [{"id": p.id, "version": p.version, "name": p.name} for p in preps]
        _report_done(ctx, "Registered", kind, items)

    @group.command("update")
    @click.argument("component_id")
    @click.argument("config_file", type=click.Path())
    @click.option(
        "--update-type", "-t", required=True, type=click.Choice(["major", "minor", "patch"])
    )
    @click.option("--log-message", "-l", required=True, help="What changed.")
    @click.option(
        "--version",
        required=True,
        help="The current version you are updating (a stale one is refused).",
    )
    @data_root_option
    @report_dir_option
    @click.pass_context
    def update_cmd(
        ctx, component_id, config_file, update_type, log_message, version, data_roots, report_dir
    ):
        """Register a new version of COMPONENT_ID from CONFIG_FILE."""
        with open_registry(ctx) as reg:
            record = reg.update(
                kind,
                component_id,
                Path(config_file),
                update_type=update_type,
                log_message=log_message,
                version=version,
                data_roots=[Path(p) for p in data_roots],
                report_dir=Path(report_dir) if report_dir else None,
            )
        _report_done(ctx, "Updated", kind, [{"id": record.id, "version": record.version}])

    @group.command("remove")
    @click.argument("component_id")
    @click.pass_context
    def remove_cmd(ctx, component_id):
        """Remove a component and all its versions (refused while something uses it)."""
        with open_registry(ctx) as reg:
            reg.remove(kind, component_id)
        _report_done(ctx, "Removed", kind, [{"id": component_id}])

    @group.command("dump")
    @click.argument("component_id")
    @click.argument("out_dir", type=click.Path(file_okay=False))
    @click.option("--version", help="Version to dump (default: latest).")
    @click.pass_context
    def dump_cmd(ctx, component_id, out_dir, version):
        """Write the config (and records or data) to OUT_DIR/COMPONENT_ID."""
        with open_registry(ctx, read_only=True) as reg:
            target = reg.dump(kind, component_id, Path(out_dir), version)
        if ctx.obj["json"]:
            emit_json({"ok": True, "path": str(target)})
        else:
            click.echo(f"Wrote {target}")

    return group


def _report_done(ctx, verb: str, kind: str, items: list[dict]) -> None:
    if ctx.obj["json"]:
        emit_json({"ok": True, "kind": kind, "items": items})
        return
    for item in items:
        extra = "".join(
            f", {k} {v:,}" if isinstance(v, int) else ""
            for k, v in item.items()
            if k == "row_count"
        )
        version = f" version {item['version']}" if "version" in item else ""
        click.echo(f"{verb} {kind.replace('_', ' ')} {item['id']}{version}{extra}")


for _name, _kind in KIND_GROUPS.items():
    registry.add_command(make_kind_group(_name, _kind))


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
@click.option("--log-message", "-l", default=None)
@data_root_option
@report_dir_option
@click.pass_context
def submit_dataset_cmd(
    ctx, project_id, dataset_id, mappings_file, log_message, data_roots, report_dir
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


@registry.command("check")
@click.option(
    "--quick", is_flag=True, help="Compare data file sizes only; skip the SHA-256 of every file."
)
@click.pass_context
def check_cmd(ctx, quick):
    """Verify the registry: database integrity, versions, dependencies, every dataset version's
    data file (size and SHA-256), records, and leftovers of unfinished work. Exit 1 when
    something is wrong."""
    import sys

    with open_registry(ctx, read_only=True) as reg:
        report = reg.check(hashes=not quick)
    if ctx.obj["json"]:
        emit_json(report.to_dict())
    else:
        counted = report.counted
        click.echo(
            f"Checked {counted.get('components', 0)} components, "
            f"{counted.get('versions', 0)} versions, "
            f"{counted.get('data_bytes_hashed', 0) / 2**20:,.1f} MiB of data hashed."
        )
        if report.ok:
            click.echo("The registry is whole.")
        else:
            click.echo(f"{len(report.findings)} problem(s):")
            for finding in report.findings[:50]:
                click.echo(f"  {finding.line()}")
            if len(report.findings) > 50:
                click.echo(f"  ... and {len(report.findings) - 50} more (--json lists all)")
    if not report.ok:
        sys.exit(1)


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
@click.pass_context
def copy_cmd(ctx, source, target, data_root):
    """Copy a whole registry into an empty one: every component with all its versions in
    their order, history, dependencies, records, and every dataset version's data files
    (checked against their recorded sizes and SHA-256 after copying). Works between any
    stores and data locations (folder, arangodb:// URL, s3:// data). A target that is not
    empty is refused (exit 2); a failure part-way leaves the target as it was."""
    from dsgrid_core.registry.copy import copy_between

    report, shown, root = copy_between(
        source, target, data_root=data_root, progress=Progress("copy")
    )
    if ctx.obj["json"]:
        emit_json({"ok": True, "location": shown, "data_root": root, **report.to_dict()})
    else:
        click.echo(
            f"Copied {report.components} components ({report.versions} versions, "
            f"{report.dataset_versions} dataset versions, {report.data_bytes / 2**20:,.1f} MiB "
            f"of data) to {shown} (data in {root})."
        )
