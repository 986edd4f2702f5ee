"""What the registration forms compute that is not UI: configs built from form fields, the file
references of an uploaded config pointed at the stored uploads (and back to plain names for the
download), the JSON5 file and the `dsgrid` command that repeat a registration from the command
line, and each problem placed under the form field it concerns. A mapping edited row by row is
dsgrid_core.mapping_edit.

The forms keep two names for every uploaded file: the name the user gave it and the generated
name it is stored under (dsgrid_core.uploads). The config the registration job reads names the
stored files; the config a user downloads names the original files, to be put beside it."""

from __future__ import annotations

import copy
import json
import shlex
from collections.abc import Iterator
from pathlib import PurePosixPath
from typing import Any

from dsgrid_core.mapping_edit import mapping_records

FILE_KEYS = ("file", "filename")
DATA_FILE_KEYS = ("data_file", "lookup_data_file")
ASSOCIATION_KEYS = ("missing_associations", "expected_associations")
GENERAL = ""  # the key of problems that concern no particular field

# registration kind -> `dsgrid registry <group>`
CLI_GROUPS = {
    "dimension": "dimensions",
    "dimension_mapping": "dimension-mappings",
    "dataset": "datasets",
    "project": "projects",
}


# --- file references ------------------------------------------------------------------------


def file_references(config: Any, path: str = "") -> Iterator[tuple[str, Any, Any]]:
    """Every file a config refers to, as (dotted path, holder, key): ``holder[key]`` is the
    reference. Paths are written as validation problems name fields
    (``dimensions.base_dimensions[0].file``). Inline records are not looked into."""
    if isinstance(config, dict):
        for key, value in config.items():
            here = f"{path}.{key}" if path else str(key)
            if key == "records":
                continue
            if key in FILE_KEYS and isinstance(value, str):
                yield here, config, key
            elif key in DATA_FILE_KEYS and isinstance(value, dict):
                if isinstance(value.get("path"), str):
                    yield f"{here}.path", value, "path"
            elif key in ASSOCIATION_KEYS and isinstance(value, list):
                for i, item in enumerate(value):
                    if isinstance(item, str):
                        yield f"{here}[{i}]", value, i
            else:
                yield from file_references(value, here)
    elif isinstance(config, list):
        for i, item in enumerate(config):
            yield from file_references(item, f"{path}[{i}]")


def base_name(reference: str) -> str:
    return PurePosixPath(str(reference).replace("\\", "/")).name


def point_at_uploads(
    config: dict[str, Any], uploads: dict[str, str], source: str = "the config"
) -> tuple[dict[str, Any], list[dict[str, str]]]:
    """A copy of ``config`` whose file references name the stored uploads, matched by base
    name (``uploads``: original name -> stored name), and a problem for each reference no
    upload matches, naming the file to upload."""
    out = copy.deepcopy(config)
    problems = []
    for where, holder, key in list(file_references(out)):
        raw = holder[key]
        name = base_name(raw)
        if name in uploads:
            holder[key] = uploads[name]
            continue
        hint = (
            f"upload {name} too (files are matched by name)"
            if PurePosixPath(name).suffix
            else f"'{raw}' looks like a folder: list its files in {source} and upload them"
        )
        problems.append({"field": where, "message": f"{source} refers to '{raw}': {hint}."})
    return out, problems


def rename_references(config: dict[str, Any], names: dict[str, str]) -> dict[str, Any]:
    """A copy of ``config`` with every file reference found in ``names`` renamed (stored name ->
    original name, for the config a user downloads)."""
    out = copy.deepcopy(config)
    for _, holder, key in list(file_references(out)):
        if holder[key] in names:
            holder[key] = names[holder[key]]
    return out


def referenced_files(config: dict[str, Any]) -> list[str]:
    """The files a config refers to, once each, in order."""
    return list(dict.fromkeys(holder[key] for _, holder, key in file_references(config)))


# --- configs from fields ----------------------------------------------------------------------


def _text(value: Any) -> str | None:
    if value is None:
        return None
    text = str(value).strip()
    return text or None


def dimension_config(
    *,
    name: str | None,
    description: str | None,
    type_: str | None,
    class_: str | None,
    file: str | None,
) -> dict[str, Any]:
    """A dimension config from the form's fields; empty fields are left out, so the model
    names each missing one."""
    config = {
        "type": _text(type_),
        "name": _text(name),
        "description": _text(description) or "",
        "class": _text(class_),
        "file": file,
    }
    return {k: v for k, v in config.items() if v is not None}


def dataset_config(
    guess: dict[str, Any],
    *,
    dataset_id: str | None,
    description: str | None,
    dataset_type: str | None,
    trivial: dict[str, dict[str, str | None]],
    missing_associations: list[str],
    guessed_id: str | None = None,
) -> tuple[dict[str, Any], list[dict[str, str]]]:
    """A dataset config from a guessed one (dsgrid_core.infer.dataset.infer_dataset) and the form's
    fields: the dataset id (also in the names of the dimensions the guess made up), the one
    record of each trivial dimension, and the missing-association files. Returns the config
    and the problems of the trivial records (field ``trivial.<type>``)."""
    config = copy.deepcopy(guess)
    dataset_id = _text(dataset_id)
    if dataset_id is None:
        config.pop("dataset_id", None)
    else:
        config["dataset_id"] = dataset_id
    config["description"] = _text(description) or ""
    if _text(dataset_type):
        config["dataset_type"] = _text(dataset_type)
    problems = []
    prefix = f"{guessed_id} " if guessed_id else None
    for dim in config.get("dimensions", []):
        if dataset_id and prefix and str(dim.get("name", "")).startswith(prefix):
            dim["name"] = f"{dataset_id} {dim['name'][len(prefix) :]}"
        t = dim.get("type")
        if t in config.get("trivial_dimensions", []):
            record = trivial.get(t) or {}
            rid, name = _text(record.get("id")), _text(record.get("name"))
            if rid is None:
                problems.append(
                    {"field": f"trivial.{t}", "message": f"give the id of the one {t} record."}
                )
                continue
            dim["records"] = [{"id": rid, "name": name or rid}]
    layout = config.setdefault("data_layout", {})
    if missing_associations:
        layout["missing_associations"] = list(missing_associations)
    else:
        layout.pop("missing_associations", None)
    return config, problems


def mapping_config(
    *,
    from_dimension: dict[str, Any],
    to_dimension: dict[str, Any],
    mapping_type: str | None,
    description: str | None,
    rows: list[dict[str, Any]],
) -> dict[str, Any]:
    """A standalone mapping config (DimensionMappingConfig) with inline records."""
    config: dict[str, Any] = {
        "from_dimension": dict(from_dimension),
        "to_dimension": dict(to_dimension),
        "description": _text(description) or "",
        "records": mapping_records(rows),
    }
    if _text(mapping_type):
        config["mapping_type"] = _text(mapping_type)
    return config


def dataset_mappings(sections: list[dict[str, Any]]) -> dict[str, Any]:
    """A submission's dimension_mappings.json5 (DatasetMappingsFile) with inline records, from
    sections {dimension_type, mapping_type, description, rows}."""
    return {
        "mappings": [
            {
                "dimension_type": s["dimension_type"],
                "mapping_type": s["mapping_type"],
                "description": _text(s.get("description")) or "",
                "records": mapping_records(s["rows"]),
            }
            for s in sections
        ]
    }


# --- downloads ------------------------------------------------------------------------------


def json5_text(config: dict[str, Any], what: str) -> str:
    """A config file (JSON is JSON5) with a comment saying where it came from."""
    return (
        f"// {what}, made with the dsgrid-viewer registration form.\n"
        + json.dumps(config, indent=2, ensure_ascii=False)
        + "\n"
    )


def cli_command(
    kind: str,
    config_name: str,
    *,
    registry: str | None,
    log_message: str,
    files: list[str] | None = None,
    project_id: str | None = None,
    dataset_id: str | None = None,
) -> str:
    """The `dsgrid` command that makes the same registration from ``config_name``, with a
    comment naming the files to put beside it."""
    lines = ["# Repeat this registration from the command line."]
    if files:
        lines.append(f"# Put these files beside {config_name}: {', '.join(files)}")
    parts = ["dsgrid"]
    if registry:
        parts += ["--registry", registry]
    if kind == "submission":
        parts += [
            "registry",
            "projects",
            "submit-dataset",
            "--project",
            str(project_id),
            "--dataset",
            str(dataset_id),
            "--mappings",
            config_name,
        ]
    else:
        parts += ["registry", CLI_GROUPS[kind], "register", config_name]
    parts += ["--log-message", log_message]
    lines.append(shlex.join(parts))
    return "\n".join(lines) + "\n"


# --- problems --------------------------------------------------------------------------------


def readable(message: str, names: dict[str, str], folders: list[str] = ()) -> str:
    """A registration's message with the upload folder left out and stored file names
    replaced by the names the user gave the files."""
    for folder in folders:
        message = message.replace(str(folder).rstrip("/") + "/", "")
    for stored, original in names.items():
        message = message.replace(stored, original)
    return message


def route_problems(
    problems: list[dict[str, str]], fields: dict[str, tuple[str, ...]]
) -> dict[str, list[str]]:
    """Each problem under the form field it concerns: a field takes the problems whose field
    (a config path or the field's own key) equals or lies below one of its paths; the longest
    path wins. A problem says where it is (``ranges[0]: ...``) unless its field is the form
    field's own key or only path; the others go under GENERAL."""
    routes = sorted(
        ((path, key) for key, paths in fields.items() for path in (key, *paths)),
        key=lambda item: -len(item[0]),
    )
    out: dict[str, list[str]] = {key: [] for key in fields}
    out[GENERAL] = []
    for problem in problems:
        where, message = str(problem.get("field") or ""), str(problem.get("message") or "")
        for path, key in routes:
            below = bool(path) and where.startswith((f"{path}.", f"{path}["))
            if where != path and not below:
                continue
            plain = where in (key, "(top level)") or (not below and len(fields[key]) <= 1)
            out[key].append(message if plain else f"{where}: {message}")
            break
        else:
            shown = where if where and where != "(top level)" else ""
            out[GENERAL].append(f"{shown}: {message}" if shown else message)
    return out
