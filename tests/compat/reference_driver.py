"""Run by the reference's own Python (dsgrid-toolkit 0.4.0 in DSGRID_REFERENCE_VENV), never by ours.

It reads one JSON job from stdin and prints one JSON answer on stdout, so that a whole batch
of configs (or a whole registry's registrations) costs one interpreter start: the reference
takes over a second just to import. Two jobs:

- ``{"mode": "load", "items": [{"path", "kind"}, ...]}``: validate each file with the
  reference's pydantic model for that kind; answer one verdict per item.
- ``{"mode": "register", "plans": [{"registry": folder, "steps": [{"action", ...}]}]}``: for
  each plan make a fresh registry in ``folder`` and run the steps in order through its
  registry managers; answer one verdict per step ("stats" steps: row count, count of values
  and value sum of a stored dataset table).

A verdict is ``{"accepted": bool, "message": str}``; message is the reference's own error
text when it refuses. The file imports nothing from our project.
"""

from __future__ import annotations

import contextlib
import io
import json
import logging
import os
import sys
import traceback
from pathlib import Path

FLOAT_TYPES = {"DOUBLE", "FLOAT", "REAL"}


def _model_for(kind: str):
    """The reference's model class (or loader function) for one kind of config file."""
    if kind == "dimension":
        from dsgrid.config.dimension_config_factory import load_dimension_config

        return load_dimension_config
    if kind == "dimensions":
        from dsgrid.config.dimensions_config import DimensionsConfigModel

        return DimensionsConfigModel.load
    if kind == "project":
        from dsgrid.config.project_config import ProjectConfigModel

        return ProjectConfigModel.load
    if kind == "dataset":
        from dsgrid.config.dataset_config import DatasetConfigModel

        return DatasetConfigModel.load
    if kind == "mappings":
        from dsgrid.config.mapping_tables import DatasetBaseToProjectMappingTableListModel

        return DatasetBaseToProjectMappingTableListModel.load
    if kind == "standalone_mappings":
        from dsgrid.config.dimension_mappings_config import DimensionMappingsConfigModel

        return DimensionMappingsConfigModel.load
    if kind == "mapping_references":
        from dsgrid.config.dimension_mapping_base import DimensionMappingReferenceListModel

        return DimensionMappingReferenceListModel.load
    if kind == "bulk":
        from dsgrid.config.registration_models import RegistrationModel

        return RegistrationModel.load
    if kind == "query":
        from dsgrid.query.models import ProjectQueryModel

        return ProjectQueryModel.load
    if kind == "dataset_query":
        from dsgrid.query.models import DatasetQueryModel

        return DatasetQueryModel.load
    raise ValueError(f"unknown kind {kind}")


def _short(exc: BaseException) -> str:
    text = f"{type(exc).__name__}: {exc}"
    return " ".join(text.split())[:2000]


def _verdict(func, *args, **kwargs) -> dict:
    # the reference logs and prints a lot; only our JSON may reach stdout
    sink = io.StringIO()
    try:
        with contextlib.redirect_stdout(sink):
            func(*args, **kwargs)
    except Exception as exc:  # noqa: BLE001 - any refusal is a verdict to record
        return {
            "accepted": False,
            "message": _short(exc),
            "missing_ids_only": _missing_ids_only(exc),
            "trace": traceback.format_exc()[-2000:],
        }
    return {"accepted": True, "message": ""}


def _missing_ids_only(exc: Exception) -> bool:
    """A validation error whose every problem is a missing registered id (dimension_id,
    mapping_id) or the name given instead: the file names its dimensions, as bulk-register
    (replace_dimension_names_with_ids) lets it."""
    errors = getattr(exc, "errors", None)
    if not callable(errors) or type(exc).__name__ != "ValidationError":
        return False
    found = errors()
    missing = [e for e in found if e["type"] == "missing"]
    names = [e for e in found if e["type"] == "extra_forbidden"]
    return (
        bool(missing)
        and len(missing) + len(names) == len(found)
        and all(e["loc"][-1] in ("dimension_id", "mapping_id") for e in missing)
        and all(e["loc"][-1] in ("name", "mapping_names", "type") for e in names)
    )


def load_items(items: list[dict]) -> list[dict]:
    return [_verdict(_model_for(item["kind"]), Path(item["path"])) for item in items]


def _table_stats(mgr, dataset_id: str) -> dict:
    """Row count, count of values and value sum of the dataset's stored load data, read with
    duckdb from the files the reference wrote (data/<id>/<version>/table.parquet, joined to
    lookup_table.parquet for two-table datasets: one row per dimension combination)."""
    import duckdb

    data_path = _data_path(mgr)
    versions = sorted((data_path / "data" / dataset_id).glob("*/table.parquet"))
    if not versions:
        raise FileNotFoundError(f"no stored table for {dataset_id}")
    table = versions[-1]
    con = duckdb.connect()

    def source(path: Path) -> str:
        return f"read_parquet('{path}/**/*.parquet')" if path.is_dir() else f"'{path}'"

    sql = f"select * from {source(table)}"  # noqa: S608 - our own temp files
    lookup = table.parent / "lookup_table.parquet"
    if lookup.exists():
        sql = f"select * from {source(table)} join {source(lookup)} using (id)"  # noqa: S608
    rel = con.sql(sql)
    # values: the floating-point columns ('value', or one per pivoted record); dimension
    # ids are strings, time parts integers
    cols = [
        c
        for c, t in zip(rel.columns, rel.types, strict=True)
        if str(t) in FLOAT_TYPES and c != "id"
    ]
    summed = " + ".join(f'coalesce(sum("{c}"), 0)' for c in cols) or "0"
    counted = " + ".join(f'count("{c}")' for c in cols) or "0"
    rows, values, total = con.sql(
        f"select count(*), {counted}, {summed} from rel"  # noqa: S608
    ).fetchone()
    return {"rows": rows, "values": values, "value_sum": float(total)}


def _register_dataset(mgr, config: Path, user: str) -> None:
    """Register a dataset; dimension references by name are first swapped for the registered
    ids in a copy, with the reference's own functions, as its bulk-register does."""
    import shutil

    from dsgrid.utils.files import load_data
    from dsgrid.utils.id_remappings import (
        map_dimension_names_to_ids,
        replace_dimension_names_with_current_ids,
    )

    refs = load_data(config).get("dimension_references") or []
    if not any("name" in ref for ref in refs):  # ids already: bulk-register swaps nothing
        mgr.dataset_manager.register(config, user, "compat dataset")
        return
    copy = config.with_name(f"{config.stem}__compat{config.suffix}")
    shutil.copyfile(config, copy)
    try:
        names = map_dimension_names_to_ids(mgr.dimension_manager)
        replace_dimension_names_with_current_ids(copy, names)
        mgr.dataset_manager.register(copy, user, "compat dataset")
    finally:
        copy.unlink()


def _types(names: list[str] | None):
    if not names:
        return None
    from dsgrid.dimension.base_models import DimensionType

    return [DimensionType(n) for n in names]


def _data_path(mgr) -> Path:
    return Path(mgr._db.get_data_path())


def register(registry: Path, steps: list[dict]) -> dict:
    from dsgrid.registry.common import DatabaseConnection
    from dsgrid.registry.registry_manager import RegistryManager

    registry.mkdir(parents=True, exist_ok=True)
    conn = DatabaseConnection(url=f"sqlite:///{registry / 'ref.db'}")
    mgr = RegistryManager.create(conn, registry / "data", user="compat", overwrite=True)
    user = "compat"
    answers = []
    for step in steps:
        action = step["action"]
        if action == "project":
            answer = _verdict(
                mgr.project_manager.register, Path(step["config"]), user, "compat project"
            )
        elif action == "dataset":
            answer = _verdict(_register_dataset, mgr, Path(step["config"]), user)
        elif action == "submit":
            answer = _verdict(
                mgr.project_manager.submit_dataset,
                step["project_id"],
                step["dataset_id"],
                user,
                "compat submission",
                dimension_mapping_file=Path(step["mappings"]) if step.get("mappings") else None,
                dimension_mapping_references_file=(
                    Path(step["references"]) if step.get("references") else None
                ),
                autogen_reverse_supplemental_mappings=_types(step.get("autogen")),
            )
        elif action == "bulk":
            from dsgrid.registry.bulk_register import bulk_register

            # relative paths in the file: from the folder given (the reference's CLI takes them
            # from the working folder or --repo-base-dir)
            answer = _verdict(
                bulk_register, mgr, Path(step["config"]), repo_base_dir=Path(step["base_dir"])
            )
        elif action == "stats":
            try:
                answer = {
                    "accepted": True,
                    "message": "",
                    **_table_stats(mgr, step["dataset_id"]),
                }
            except Exception as exc:  # noqa: BLE001
                answer = {"accepted": False, "message": _short(exc)}
        else:
            raise ValueError(f"unknown action {action}")
        answers.append({**step, **answer})
    mgr.dispose()
    return {"steps": answers}


def main() -> None:
    job = json.loads(sys.stdin.read())
    logging.disable(logging.CRITICAL)
    # the reference writes dsgrid.log and scratch folders into the working folder
    os.chdir(job.get("workdir") or os.getcwd())
    if job["mode"] == "load":
        result = {"verdicts": load_items(job["items"])}
    else:  # one fresh registry per plan, all in this one process
        result = {"plans": [register(Path(p["registry"]), p["steps"]) for p in job["plans"]]}
    sys.stdout.write(json.dumps(result))


if __name__ == "__main__":
    main()
