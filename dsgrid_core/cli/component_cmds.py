"""`dsgrid registry projects|datasets|dimensions|dimension-mappings ...`: the commands every kind
of component has (list, show, history, register, update, remove, dump), made once per kind."""

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
        from dsgrid_core.service.listing import listed  # late: pydantic

        with open_registry(ctx, read_only=True) as reg:
            # with class and status, as GET /api/v1/<kind>s has them
            rows = listed(reg, kind, type=type_, name=name, text=text)
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
        from dsgrid_core.service.local_viewer import LocalViewer  # late: sqlglot

        with open_registry(ctx, read_only=True) as reg:
            data = LocalViewer(reg).component(kind, component_id, version)
        if ctx.obj["json"]:
            emit_json(data)  # the shape of GET /api/v1/<kind>s/<id>
        else:
            shown = {**data, **data["facts"]}
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
                if shown.get(key) not in ("", None):
                    click.echo(f"{key:>15}: {shown[key]}")

    @group.command("history")
    @click.argument("component_id")
    @click.pass_context
    def history_cmd(ctx, component_id):
        """Every version with its log message."""
        from dsgrid_core.service.local_viewer import LocalViewer  # late: sqlglot

        with open_registry(ctx, read_only=True) as reg:
            rows = LocalViewer(reg).versions(kind, component_id)
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
