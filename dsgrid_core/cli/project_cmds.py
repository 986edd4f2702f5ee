"""`dsgrid registry projects ...` commands beyond the common ones of every kind: writing a
project in dsgrid-toolkit 0.4's input form, and the reference's project registration
commands, so that users' dsgrid scripts run with only the registry location changed."""

from __future__ import annotations

from pathlib import Path

import click

from dsgrid_core.cli.main import data_root_option, open_registry
from dsgrid_core.cli.output import Progress, emit_json
from dsgrid_core.config.dimension import NON_TIME_TYPES

AUTOGEN_TYPES = sorted(NON_TIME_TYPES)


@click.command("export")
@click.argument("project_id")
@click.argument("out_dir", type=click.Path(file_okay=False))
@click.option("--version", help="Project version to export (default: the latest).")
@click.pass_context
def export_cmd(ctx: click.Context, project_id: str, out_dir: str, version: str | None) -> None:
    """Write PROJECT_ID as a self-contained dsgrid project folder in OUT_DIR (new or empty):
    project config with its dimension records and mappings, every submitted dataset with its
    data and mappings, and registration.json5, which dsgrid-toolkit 0.4 registers unchanged
    (`dsgrid registry bulk-register registration.json5`, run in OUT_DIR)."""
    from dsgrid_core.service.exchange import export_project  # late: pyarrow

    with open_registry(ctx, read_only=True) as reg:
        report = export_project(reg, project_id, Path(out_dir), version)
    if ctx.obj["json"]:
        emit_json({"ok": True, **report.to_dict()})
        return
    click.echo(
        f"Exported project {project_id} version {report.project_version} to {out_dir}: "
        f"{report.dimensions} dimension(s), {report.mappings} mapping(s), "
        f"{len(report.datasets)} dataset(s)"
    )
    if report.skipped_supplemental:
        click.echo(
            "Not written (dsgrid-toolkit makes them itself when it registers the project): "
            + ", ".join(report.skipped_supplemental)
        )


def _change(ctx, project_id: str, filename: str, action: str, log_message: str, update_type):
    from dsgrid_core.service.registrations import change_project  # late: pyarrow

    with open_registry(ctx) as reg:
        result = change_project(reg, project_id, Path(filename), action, log_message, update_type)
    if ctx.obj["json"]:
        emit_json({"ok": True, **result})
    else:
        click.echo(f"Updated project {project_id} to version {result['version']}")


def _update_type_option(default: str):
    return click.option(
        "--update-type",
        "-t",
        type=click.Choice(["major", "minor", "patch"]),
        default=default,
        show_default=True,
    )


_log_option = click.option(
    "--log-message", "-l", required=True, help="Why the project changes (kept in its history)."
)


@click.command("register-subset-dimensions")
@click.argument("project_id")
@click.argument("filename", type=click.Path(dir_okay=False))
@_log_option
@_update_type_option("patch")
@click.pass_context
def register_subset_dimensions_cmd(ctx, project_id, filename, log_message, update_type):
    """Add the subset dimensions of FILENAME ({subset_dimensions: [...]}, dsgrid's format) to
    PROJECT_ID: a new project version."""
    _change(ctx, project_id, filename, "subset", log_message, update_type)


@click.command("register-supplemental-dimensions")
@click.argument("project_id")
@click.argument("filename", type=click.Path(dir_okay=False))
@_log_option
@_update_type_option("patch")
@click.pass_context
def register_supplemental_dimensions_cmd(ctx, project_id, filename, log_message, update_type):
    """Add the supplemental dimensions of FILENAME ({supplemental_dimensions: [...]}, each with
    its mapping from the base dimension) to PROJECT_ID: a new project version."""
    _change(ctx, project_id, filename, "supplemental", log_message, update_type)


@click.command("replace-dataset-dimension-requirements")
@click.argument("project_id")
@click.argument("filename", type=click.Path(dir_okay=False))
@_log_option
@_update_type_option("major")
@click.pass_context
def replace_requirements_cmd(ctx, project_id, filename, log_message, update_type):
    """Replace the required dimensions of the datasets listed in FILENAME
    ({dataset_dimension_requirements: [{dataset_id, required_dimensions}]}). A submitted
    dataset among them goes back to unregistered: submit it again."""
    _change(ctx, project_id, filename, "requirements", log_message, update_type)


@click.command("add-dataset-requirements")
@click.argument("project_id")
@click.argument("filename", type=click.Path(dir_okay=False))
@_log_option
@_update_type_option("patch")
@click.pass_context
def add_dataset_requirements_cmd(ctx, project_id, filename, log_message, update_type):
    """Add the datasets of FILENAME ({datasets: [{dataset_id, dataset_type,
    required_dimensions}]}) to the datasets PROJECT_ID expects: a new project version."""
    _change(ctx, project_id, filename, "datasets", log_message, update_type)


@click.command("register-and-submit-dataset")
@click.option("--dataset-config-file", "-c", required=True, type=click.Path(dir_okay=False))
@click.option(
    "--dimension-mapping-file",
    "-m",
    type=click.Path(dir_okay=False),
    help="Mappings from the dataset's dimensions to the project's.",
)
@click.option(
    "--dimension-mapping-references-file",
    "-r",
    type=click.Path(dir_okay=False),
    help="References to registered mappings (instead of, or with, -m).",
)
@click.option(
    "--autogen-reverse-supplemental-mappings",
    "-a",
    multiple=True,
    type=click.Choice(AUTOGEN_TYPES),
    help="A dimension type whose dataset dimension is one of the project's supplemental "
    "dimensions and has no mapping in -m: map it to the project's base dimension by "
    "reversing the project's mapping (repeatable).",
)
@click.option("--project-id", "-p", required=True)
@click.option("--log-message", "-l", required=True)
@click.option(
    "--data-base-dir",
    "-D",
    type=click.Path(file_okay=False, exists=True),
    help="Relative data file paths are taken from this folder.",
)
@click.option(
    "--associations-base-dir",
    "-A",
    type=click.Path(file_okay=False, exists=True),
    help="Relative missing/expected associations paths are taken from this folder.",
)
@data_root_option
@click.pass_context
def register_and_submit_cmd(
    ctx,
    dataset_config_file,
    dimension_mapping_file,
    dimension_mapping_references_file,
    autogen_reverse_supplemental_mappings,
    project_id,
    log_message,
    data_base_dir,
    associations_base_dir,
    data_roots,
):
    """Register a dataset and submit it to a project in one step; if the submission is
    refused, the dataset is not kept."""
    from dsgrid_core.service.registrations import register_and_submit  # late: pyarrow

    with open_registry(ctx) as reg:
        result = register_and_submit(
            reg,
            Path(dataset_config_file),
            project_id,
            log_message,
            mapping_file=Path(dimension_mapping_file) if dimension_mapping_file else None,
            references_file=(
                Path(dimension_mapping_references_file)
                if dimension_mapping_references_file
                else None
            ),
            data_base_dir=Path(data_base_dir) if data_base_dir else None,
            associations_base_dir=Path(associations_base_dir) if associations_base_dir else None,
            data_roots=[Path(p) for p in data_roots],
            progress=Progress("register-and-submit"),
            autogen_reverse=list(autogen_reverse_supplemental_mappings),
        )
    if ctx.obj["json"]:
        emit_json({"ok": True, **result})
    else:
        click.echo(
            f"Registered dataset {result['dataset_id']} and submitted it to project "
            f"{project_id}; project is now version {result['project_version']}"
        )


PROJECT_COMMANDS = [
    export_cmd,
    register_subset_dimensions_cmd,
    register_supplemental_dimensions_cmd,
    replace_requirements_cmd,
    add_dataset_requirements_cmd,
    register_and_submit_cmd,
]
