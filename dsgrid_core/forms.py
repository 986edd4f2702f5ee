"""What the registration forms compute that is not UI: configs built from form fields, the file
references of an uploaded config pointed at the stored uploads (and back to plain names for the
download), the live rule check of a mapping being edited row by row, the JSON5 file and the
`dsgrid` command that repeat a registration from the command line, and each problem placed
under the form field it concerns.

The forms keep two names for every uploaded file: the name the user gave it and the generated
name it is stored under (dsgrid_core.uploads). The config the registration job reads names the
stored files; the config a user downloads names the original files, to be put beside it."""

from __future__ import annotations

import copy
import json
import math
import shlex
from collections import Counter, defaultdict
from collections.abc import Iterator
from pathlib import PurePosixPath
from typing import Any

from dsgrid_core.config.mapping import FRACTION_TOLERANCE, MAPPING_RULES, MappingType

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
    """A dataset config from a guessed one (dsgrid_core.infer.infer_dataset) and the form's
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


# --- mapping rows ----------------------------------------------------------------------------


def fraction(value: Any) -> float | None:
    """A from_fraction cell as a number (empty = 1), or None when it is not one."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return 1.0
    if isinstance(value, bool):
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if math.isfinite(number) else None


def mapping_rows(records: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Rows for the editable grid from mapping records (a CSV's rows, a skeleton's rows), each
    with a row number (as text: the grid's row id) that identifies it while it is edited."""
    rows = []
    for i, record in enumerate(records):
        value = record.get("from_fraction")
        number = fraction(value)
        rows.append(
            {
                "row": str(i),
                "from_id": str(record.get("from_id") or "").strip(),
                "to_id": str(record.get("to_id") or "").strip(),
                "from_fraction": number if number is not None else str(value),
                "match": record.get("match", ""),
            }
        )
    return rows


def added_row(rows: list[dict[str, Any]]) -> dict[str, Any]:
    """A new, empty row for the grid, numbered after the others."""
    number = max((int(r.get("row") or 0) for r in rows), default=-1) + 1
    return {"row": str(number), "from_id": "", "to_id": "", "from_fraction": 1.0, "match": "added"}


def mapping_records(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The records a mapping config holds, from the grid's rows (an empty to_id drops the
    from record)."""
    out = []
    for row in rows:
        number = fraction(row.get("from_fraction"))
        out.append(
            {
                "from_id": str(row.get("from_id") or "").strip(),
                "to_id": str(row.get("to_id") or "").strip(),
                "from_fraction": number if number is not None else row.get("from_fraction"),
            }
        )
    return out


def check_mapping_rows(
    rows: list[dict[str, Any]],
    mapping_type: str | None,
    from_ids: list[str] | set[str],
    to_ids: list[str] | set[str],
    *,
    from_name: str = "the from dimension",
    to_name: str = "the to dimension",
) -> dict[str, Any]:
    """The rules of the mapping type, checked row by row while the user edits (the same rules
    registration applies: dsgrid_core.data.records). Returns {"rows": one list of problems per
    row, "general": problems of no single row}."""
    per_row: list[list[str]] = [[] for _ in rows]
    general: list[str] = []
    known_from, known_to = set(map(str, from_ids)), set(map(str, to_ids))
    cleaned = []
    for i, row in enumerate(rows):
        f = str(row.get("from_id") or "").strip()
        t = str(row.get("to_id") or "").strip()
        x = fraction(row.get("from_fraction"))
        if not f:
            per_row[i].append("from_id is empty.")
        elif f not in known_from:
            per_row[i].append(f"'{f}' is not a record of {from_name}.")
        if t and t not in known_to:
            per_row[i].append(f"'{t}' is not a record of {to_name}.")
        if x is None:
            per_row[i].append(f"from_fraction '{row.get('from_fraction')}' is not a number.")
        cleaned.append((f, t, x))
    try:
        kind = MappingType(mapping_type) if mapping_type else None
    except ValueError:
        kind = None
        general.append(f"unknown mapping type '{mapping_type}'.")
    if kind is None:
        if not mapping_type:
            general.append("choose a mapping type.")
        return {"rows": per_row, "general": general}
    rules = MAPPING_RULES[kind]
    pairs = Counter((f, t) for f, t, _ in cleaned if f)
    from_count = Counter(f for f, _, _ in cleaned if f)
    to_count = Counter(t for _, t, _ in cleaned if t)
    sums: dict[str, float] = defaultdict(float)
    key_index = 0 if rules.sum_by == "from_id" else 1
    for record in cleaned:
        key, x = record[key_index], record[2]
        if key and x is not None:
            sums[key] += x
    for i, (f, t, x) in enumerate(cleaned):
        if f and pairs[(f, t)] > 1:
            per_row[i].append(f"the pair {f} -> {t or '(dropped)'} appears more than once.")
        if rules.unique_from and f and from_count[f] > 1:
            per_row[i].append(
                f"{kind.value} maps each from_id once; '{f}' is on {from_count[f]} rows."
            )
        if rules.unique_to and t and to_count[t] > 1:
            per_row[i].append(
                f"{kind.value} maps to each to_id once; '{t}' is on {to_count[t]} rows."
            )
        if rules.all_ones and x is not None and abs(x - 1) > 1e-12:
            per_row[i].append(f"{kind.value} needs every from_fraction to be 1.")
        key = (f, t)[key_index] if rules.sum_by else None
        if key and key in sums and abs(sums[key] - 1) > FRACTION_TOLERANCE:
            per_row[i].append(
                f"the fractions of {rules.sum_by} '{key}' sum to {sums[key]:.6g}; "
                f"{kind.value} needs 1 (or choose an *_explicit_multipliers type)."
            )
    unmapped = [i for i in known_from if i not in from_count]
    if unmapped:
        shown = ", ".join(sorted(unmapped)[:5]) + (
            f" and {len(unmapped) - 5} more" if len(unmapped) > 5 else ""
        )
        general.append(
            f"record(s) {shown} of {from_name} have no row: add one for each (an empty to_id "
            "drops a record)."
        )
    if not rows:
        general.append("the mapping has no rows.")
    return {"rows": per_row, "general": general}


def rows_with_problems(rows: list[dict[str, Any]], check: dict[str, Any]) -> list[dict[str, Any]]:
    """The grid's rows with each row's problems in its ``problem`` column."""
    return [
        {**row, "problem": " ".join(problems)}
        for row, problems in zip(rows, check["rows"], strict=True)
    ]


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
