"""Load a config file into its model; turn validation errors into one readable paragraph."""

from __future__ import annotations

import difflib
import warnings
from pathlib import Path
from typing import Any, TypeVar, get_args

from pydantic import BaseModel, ValidationError

from dsgrid_core.config import time_dimension
from dsgrid_core.config.any_dimension import parse_dimension
from dsgrid_core.config.base import LegacyKeyWarning
from dsgrid_core.config.dimension import DimensionConfig
from dsgrid_core.config.files import load_json5
from dsgrid_core.config.listed_files import check_listed_files
from dsgrid_core.errors import ConfigError

M = TypeVar("M", bound=BaseModel)


def _tag_models() -> dict[str, type[BaseModel]]:
    """Tags of the dimension union (pydantic puts them in error locations): tag -> model."""
    return {
        "dimension": DimensionConfig,
        "datetime": time_dimension.DatetimeTimeConfig,
        "annual": time_dimension.AnnualTimeConfig,
        "representative_period": time_dimension.RepresentativePeriodTimeConfig,
        "index": time_dimension.IndexTimeConfig,
        "noop": time_dimension.NoOpTimeConfig,
        **{tag: getattr(time_dimension, name) for tag, name in time_dimension.UNION_TAGS.items()},
    }


def _location(loc: tuple[Any, ...]) -> str:
    out = ""
    tags = _tag_models()
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        elif (
            str(part).startswith(("function-", "tagged-union", "union"))
            or part
            in (
                "DimensionConfig",
                "DatetimeTimeConfig",
                "AnnualTimeConfig",
                "RepresentativePeriodTimeConfig",
                "IndexTimeConfig",
                "NoOpTimeConfig",
            )
            or str(part) in tags
        ):
            continue
        else:
            out += ("." if out else "") + str(part)
    return out or "(top level)"


def _known_keys(model: type[BaseModel], loc: tuple[Any, ...]) -> list[str]:
    """Best effort: the field names of the model found by walking loc (for 'did you mean')."""
    current: Any = model
    tags = _tag_models()
    for part in loc[:-1]:
        if isinstance(part, int) or current is None:
            continue
        if str(part) in tags:  # a union member chosen by its tag: its fields are the known keys
            current = tags[str(part)]
            continue
        field = getattr(current, "model_fields", {}).get(part)
        if field is None:
            return []
        current = _inner_model(field.annotation)
    fields = getattr(current, "model_fields", {}) if current else {}
    return [f.alias or name for name, f in fields.items()]


def _inner_model(annotation: Any) -> type[BaseModel] | None:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in get_args(annotation):
        found = _inner_model(arg)
        if found is not None:
            return found
    return None


def validation_problems(exc: ValidationError, model: type[BaseModel]) -> list[dict[str, str]]:
    """One {"field", "message"} per problem, the field as a dotted path into the config."""
    return [
        {"field": _location(err["loc"]), "message": _problem_text(err, model)}
        for err in exc.errors()
    ]


def _problem_text(err, model) -> str:
    if err["type"] == "extra_forbidden":
        key = str(err["loc"][-1])
        close = difflib.get_close_matches(key, _known_keys(model, err["loc"]), n=1)
        hint = f" Did you mean '{close[0]}'?" if close else " Remove it or check its spelling."
        return f"unknown key '{key}'.{hint}"
    if err["type"] == "missing":
        return "required field is missing."
    msg = err["msg"].removeprefix("Value error, ")
    value = err.get("input")
    shown = "" if isinstance(value, dict | list) else f" (got {value!r})"
    return f"{msg}{shown}"


def describe_validation_error(exc: ValidationError, model: type[BaseModel], source: str) -> str:
    problems = validation_problems(exc, model)
    lines = [f"{p['field']}: {p['message']}" for p in problems[:10]]
    if len(problems) > 10:
        lines.append(f"... and {len(problems) - 10} more problems")
    return (
        f"{source}: invalid {model.__name__.removesuffix('Config').lower()} config:\n"
        + "\n".join(f"  - {line}" for line in lines)
    )


def validate_model(model: type[M], data: Any, source: str) -> tuple[M, list[str]]:
    """Validate ``data``; return the model and the legacy-key notices it produced."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", LegacyKeyWarning)
        try:
            obj = model.model_validate(data)
        except ValidationError as exc:
            raise ConfigError(
                describe_validation_error(exc, model, source),
                problems=validation_problems(exc, model),
            ) from None
    notices = sorted({str(w.message) for w in caught if issubclass(w.category, LegacyKeyWarning)})
    for notice in notices:  # shown once per config by the CLI (see cli.main)
        warnings.warn(f"{source}: {notice}", LegacyKeyWarning, stacklevel=2)
    return obj, notices


def validate_dimension(data: Any, source: str):
    """One dimension config of any kind (records or a time variant), errors as for models."""
    try:
        return parse_dimension(data)
    except ValidationError as exc:
        raise ConfigError(
            describe_validation_error(exc, DimensionConfig, source),
            problems=validation_problems(exc, DimensionConfig),
        ) from None


def load_config(model: type[M], path: Path) -> tuple[M, list[str]]:
    """Read a JSON5 file and validate it as ``model``; the records and mapping files it lists
    must exist (as dsgrid checks when it reads a config)."""
    config, notices = validate_model(model, load_json5(Path(path)), str(path))
    check_listed_files(config, Path(path))
    return config, notices


def detect_config_kind(data: dict[str, Any]) -> str:
    """Which model a JSON5 document is, from its top-level keys."""
    if "project_id" in data and "dimensions" in data:
        return "project"
    if "dataset_id" in data and ("data_layout" in data or "data_schema" in data):
        return "dataset"
    if "project" in data and "result" in data or "project" in data and "name" in data:
        return "query"
    if {"projects", "datasets", "dataset_submissions"} & set(data) and not (
        "mappings" in data or "dimensions" in data
    ):
        return "bulk"
    if "mappings" in data:
        first = (data["mappings"] or [{}])[0]
        return "mappings" if "dimension_type" in first else "standalone_mappings"
    if "references" in data:
        return "mapping_references"
    if "dimensions" in data:
        return "dimensions"
    if "type" in data and "name" in data:
        return "dimension"
    raise ConfigError(
        "cannot tell which kind of dsgrid config this is from its keys: " + ", ".join(sorted(data))
    )
