"""Our side of the comparison: the same verdicts as reference_driver.py, from dsgrid_core.

Load: the config file through dsgrid_core.config.load with our model for its kind.
Register: a fresh registry of ours, the same steps (project, dataset, submit) through
dsgrid_core.registry.Registry, and the stored dataset table's row count and value sum."""

from __future__ import annotations

import warnings
from pathlib import Path

FLOAT_TYPES = {"DOUBLE", "FLOAT", "REAL"}


def _models():
    from dsgrid_core.config.bulk import BulkRegistration
    from dsgrid_core.config.dataset import DatasetConfig
    from dsgrid_core.config.dataset_query import DatasetQueryConfig
    from dsgrid_core.config.mapping import DatasetMappingsFile, StandaloneMappingsFile
    from dsgrid_core.config.project import ProjectConfig
    from dsgrid_core.config.query import ProjectQueryConfig
    from dsgrid_core.config.registry_files import DimensionsFile

    return {
        "project": ProjectConfig,
        "dataset": DatasetConfig,
        "query": ProjectQueryConfig,
        "dataset_query": DatasetQueryConfig,
        "bulk": BulkRegistration,
        "mappings": DatasetMappingsFile,
        "mapping_references": DatasetMappingsFile,
        "standalone_mappings": StandaloneMappingsFile,
        "dimensions": DimensionsFile,
    }


def _short(exc: BaseException) -> str:
    return " ".join(str(exc).split())[:600]


def load_verdict(path: Path, kind: str) -> dict:
    """accepted / refused with our message; notices are the legacy-key notices we gave."""
    from dsgrid_core.config.files import load_json5
    from dsgrid_core.config.load import load_config, validate_dimension

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            if kind == "dimension":
                validate_dimension(load_json5(path), str(path))
                notices = [str(w.message) for w in caught]
            else:
                _, notices = load_config(_models()[kind], path)
        except Exception as exc:  # noqa: BLE001 - any refusal is a verdict to record
            return {"accepted": False, "message": _short(exc), "notices": []}
    return {"accepted": True, "message": "", "notices": sorted(set(notices))}


def _stats(registry, dataset_id: str) -> dict:
    """Row count, count of values and value sum of the stored table (duckdb over the files)."""
    import duckdb

    path = str(registry.dataset_table_path(dataset_id))
    source = f"{path}/**/*.parquet" if not path.endswith(".parquet") else path
    con = duckdb.connect()
    rel = con.sql(f"select * from read_parquet('{source}')")  # noqa: S608 - our temp files
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
    ).fetchall()[0]
    return {"rows": rows, "values": values, "value_sum": float(total)}


def _is_notice(caught: warnings.WarningMessage) -> bool:
    from dsgrid_core.config.base import LegacyKeyWarning
    from dsgrid_core.errors import Notice

    return issubclass(caught.category, (LegacyKeyWarning, Notice))


def register(registry_dir: Path, steps: list[dict]) -> dict:
    from dsgrid_core.registry.registry import Registry

    registry = Registry.create(registry_dir)
    answers = []
    try:
        for step in steps:
            action = step["action"]
            try:
                with warnings.catch_warnings(record=True) as caught:
                    warnings.simplefilter("always")
                    # a real repository's configs share files across folders: allowed
                    # as a user allows them (--data-root), the reference reads any path
                    roots = [Path(r) for r in step.get("roots", [])]
                    if action == "project":
                        registry.register_project(
                            Path(step["config"]), "compat project", data_roots=roots
                        )
                        extra = {}
                    elif action == "dataset":
                        registry.register_dataset(
                            Path(step["config"]), "compat dataset", data_roots=roots
                        )
                        extra = {}
                    elif action == "submit":
                        registry.submit_dataset(
                            step["project_id"],
                            step["dataset_id"],
                            Path(step["mappings"]) if step.get("mappings") else None,
                            "compat submission",
                            references_file=(
                                Path(step["references"]) if step.get("references") else None
                            ),
                            autogen_reverse=step.get("autogen") or (),
                            data_roots=roots,
                        )
                        extra = {}
                    elif action == "bulk":  # our bulk files: paths from the file's folder
                        registry.bulk_register(Path(step["config"]))
                        extra = {}
                    elif action == "stats":
                        extra = _stats(registry, step["dataset_id"])
                    else:
                        raise ValueError(f"unknown action {action}")
                notices = sorted({str(w.message) for w in caught if _is_notice(w)})
                answers.append(
                    {**step, "accepted": True, "message": "", "notices": notices, **extra}
                )
            except Exception as exc:  # noqa: BLE001
                answers.append({**step, "accepted": False, "message": _short(exc)})
    finally:
        registry.close()
    return {"steps": answers}
