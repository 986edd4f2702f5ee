"""Exporting a registered project as a dsgrid project folder that dsgrid-toolkit 0.4 registers
unchanged (no lock-in).

Why: `dump` writes configs that only we read back (dimensions and mappings referenced by our
names and ids). This export writes everything in the reference's input form, self-contained:

    OUTDIR/registration.json5               bulk registration file (`dsgrid registry
                                            bulk-register registration.json5`)
    OUTDIR/project/project.json5            base and supplemental dimensions inline, subset
                                            dimensions, dataset requirements
    OUTDIR/project/dimensions/*.csv         dimension records
    OUTDIR/project/dimension_mappings/*.csv base-to-supplemental mapping records
    OUTDIR/datasets/<id>/dataset.json5      dataset config; the project's base dimensions by
                                            name, its own dimensions inline
    OUTDIR/datasets/<id>/load_data.parquet  its data as we store it (one table, stacked;
                                            datetime time as a UTC timestamp, other time
                                            types in the reference's own columns)
    OUTDIR/datasets/<id>/dimension_mappings.json5 + mappings/*.csv  its mappings to the project

Every dataset submitted to the project (at the project version exported) is exported with the
version of it that was submitted. Supplemental dimensions that the reference makes itself when
it registers a project (``all_<project>_<types>``, and one per subset dimension with
``create_supplemental_dimension``) are not written, so that registering the folder makes them
once. What cannot be written in the reference's form is refused with the reason, before any
file is written.
"""

from __future__ import annotations

import csv
import json
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from dsgrid_core.config.base import slugify
from dsgrid_core.data.base_store import MISSING_FILE
from dsgrid_core.errors import InputError

BULK_FILE = "registration.json5"
# Dataset config fields the reference's dataset model has, copied as they are.
_DATASET_FIELDS = (
    "dataset_id",
    "dataset_type",
    "dataset_qualifier_metadata",
    "description",
    "sector_description",
    "data_source",
    "data_source_date",
    "data_source_version",
    "data_source_authors",
    "data_source_doi_url",
    "origin_creator",
    "origin_organization",
    "origin_contributors",
    "origin_project",
    "user_defined_metadata",
    "tags",
    "data_classification",
)
# Time dimension fields in the reference's form (what its registry stores for a time
# dimension); anything else in our stored config is refused rather than lost.
_TIME_FIELDS = (
    "type",
    "name",
    "description",
    "class",
    "time_type",
    "ranges",
    "time_zone_format",
    "column_format",
    "time_interval_type",
    "measurement_type",
    "include_leap_day",  # annual
    "format",  # representative periods
)


@dataclass
class ExportReport:
    folder: str
    project_version: str
    dimensions: int = 0
    mappings: int = 0
    datasets: dict[str, dict[str, Any]] = field(default_factory=dict)  # id -> version, rows
    skipped_supplemental: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


def _write_json(path: Path, data: Any) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")


def _write_csv(path: Path, header: list[str], rows: list[list[Any]]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)


def _plural(dim_type: str) -> str:
    return dim_type[:-1] + "ies" if dim_type.endswith("y") else dim_type + "s"


def reference_makes_itself(project_id: str, supp: dict[str, Any], subsets: dict) -> bool:
    """Whether registering the project in the reference creates this supplemental dimension
    (its "all" dimension of a type, or a subset's supplemental dimension)."""
    if supp["type"] not in ("metric", "time") and supp["name"] == (
        f"all_{project_id}_{_plural(supp['type'])}"
    ):
        return True
    return supp["name"] in subsets


class _Writer:
    def __init__(self, registry, out: Path):
        self.registry = registry
        self.out = out
        self.names: dict[Path, set[str]] = {}
        self.report: ExportReport | None = None

    def file_name(self, folder: Path, name: str) -> str:
        taken = self.names.setdefault(folder, set())
        base = slugify(name) or "records"
        candidate, i = base, 2
        while candidate in taken:
            candidate, i = f"{base}_{i}", i + 1
        taken.add(candidate)
        return f"{candidate}.csv"

    def dimension(self, dim: dict[str, Any], folder: Path, rel: str) -> dict[str, Any]:
        """One dimension in the reference's input form; records written to folder/rel."""
        record = self.registry.show("dimension", dim["id"], dim["version"])
        config = record.config
        if config.get("type") == "time":
            return _time_config(record)
        records = self.registry.store.dimension_records(dim["id"], dim["version"])
        # A column that is empty everywhere is left out: the record class fills it with
        # null, where an empty CSV cell would read back as "".
        columns = [
            c
            for c in dict.fromkeys(k for r in records for k in r)
            if any(r.get(c) is not None for r in records)
        ]
        name = self.file_name(folder / rel, config["name"])
        _write_csv(
            folder / rel / name,
            columns,
            [["" if r.get(c) is None else r.get(c) for c in columns] for r in records],
        )
        out = {
            "type": config["type"],
            "name": config["name"],
            "description": config.get("description") or config["name"],
            "class": config.get("class"),
            "file": f"{rel}/{name}",
        }
        if str(out["class"]).endswith("DimensionBaseModel"):
            out["module"] = "dsgrid.dimension.base_models"
        if self.report:
            self.report.dimensions += 1
        return {k: v for k, v in out.items() if v is not None}

    def mapping(self, mapping_id: str, version: str, folder: Path, rel: str) -> dict[str, Any]:
        record = self.registry.show("dimension_mapping", mapping_id, version)
        pairs = self.registry.store.mapping_records(mapping_id, version)
        name = self.file_name(folder / rel, self.registry.get("dimension_mapping", mapping_id).name)
        _write_csv(
            folder / rel / name,
            ["from_id", "to_id", "from_fraction"],
            [[f, t or "", repr(float(x))] for f, t, x in pairs],
        )
        if self.report:
            self.report.mappings += 1
        out = {
            "mapping_type": record.config.get("mapping_type", "many_to_one_aggregation"),
            "description": record.config.get("description") or f"{record.id}",
            "file": f"{rel}/{name}",
        }
        for key in ("from_fraction_tolerance", "to_fraction_tolerance"):
            if key in record.config:
                out[key] = record.config[key]
        return out


def _time_config(record) -> dict[str, Any]:
    """A time dimension in the reference's form. Our stored data keeps datetime time as a UTC
    ``timestamp`` column, whatever the original columns were, so an exported datetime
    dimension says so; other time types are stored in the reference's own columns
    (``time_year``, ``time_index``, ``month``/``day_of_week``/``hour``...) and their configs
    are written as they are."""
    config = dict(record.config)
    unknown = sorted(set(config) - set(_TIME_FIELDS))
    if unknown:
        raise InputError(
            f"time dimension '{config.get('name')}' ({record.id}) has setting(s) "
            f"{', '.join(unknown)} that the export cannot write in the reference's form yet. "
            "Nothing was written."
        )
    if config.get("time_type") == "datetime":
        config["column_format"] = {"dtype": "timestamp_tz", "time_column": "timestamp"}
        config.setdefault("class", "Time")
    return config


def _records_form(recs: Any) -> Any:
    """Required records in the reference's input form: ``base`` as a list of ids."""
    if isinstance(recs, dict) and "record_ids" in recs:
        return list(recs["record_ids"])
    return recs


def _required(required: dict[str, Any]) -> dict[str, Any]:
    def entry(recs: dict[str, Any]) -> dict[str, Any]:
        out = {}
        for key in ("base", "base_missing"):
            ids = _records_form(recs.get(key))
            if ids:
                out[key] = ids
        for key in ("subset", "supplemental"):
            if recs.get(key):
                out[key] = recs[key]
        return out

    single = {t: entry(r) for t, r in (required.get("single_dimensional") or {}).items()}
    multi = [{t: entry(r) for t, r in g.items()} for g in required.get("multi_dimensional") or []]
    out: dict[str, Any] = {}
    if any(single.values()):
        out["single_dimensional"] = {t: r for t, r in single.items() if r}
    groups = [{t: r for t, r in g.items() if r} for g in multi]
    if any(groups):
        out["multi_dimensional"] = [g for g in groups if g]
    return out


def export_project(
    registry, project_id: str, out_dir: Path, version: str | None = None
) -> ExportReport:
    """Write ``project_id`` (its latest version, or ``version``) and its submitted datasets
    to ``out_dir`` (new or empty) in dsgrid-toolkit 0.4's input form."""
    out_dir = Path(out_dir)
    if out_dir.exists() and any(out_dir.iterdir()):
        raise InputError(f"{out_dir} exists and is not empty; choose a new or empty folder.")
    project = registry.show("project", project_id, version)
    created = not out_dir.exists()
    out_dir.mkdir(parents=True, exist_ok=True)
    try:
        return _export(registry, project, out_dir)
    except BaseException:
        # a refusal or failure leaves no half-written folder behind
        for child in out_dir.iterdir():
            if child.is_dir():
                shutil.rmtree(child)
            else:
                child.unlink()
        if created:
            out_dir.rmdir()
        raise


def _export(registry, project, out_dir: Path) -> ExportReport:
    project_id = project.id
    writer = _Writer(registry, out_dir)
    report = ExportReport(folder=str(out_dir), project_version=project.version)
    writer.report = report
    extra, config = project.extra, project.config
    pdir = out_dir / "project"
    base = extra["base_dimensions"]
    subsets = extra.get("subset_dimensions") or {}
    base_dims = [writer.dimension(base[t], pdir, "dimensions") for t in base]
    supplemental = []
    for supp in extra.get("supplemental_dimensions") or []:
        if reference_makes_itself(project_id, supp, subsets):
            report.skipped_supplemental.append(supp["name"])
            continue
        dim = writer.dimension(supp, pdir, "dimensions/supplemental")
        dim["mapping"] = writer.mapping(
            supp["mapping_id"], supp["mapping_version"], pdir, "dimension_mappings"
        )
        supplemental.append(dim)
    stored_subsets = {
        s["name"]: s for s in (config.get("dimensions") or {}).get("subset_dimensions") or []
    }
    subset_configs = []
    for name, subset in subsets.items():
        selectors = subset["selectors"]
        # Every record of the subset's base dimension is listed (both toolkits expect it);
        # a cell under a selector's column marks the records it selects.
        subset_base = base[subset["type"]]
        if subset.get("base_id"):
            subset_base = {"id": subset["base_id"], "version": subset["base_version"]}
        ids = [
            r["id"]
            for r in registry_records(writer.registry, subset_base["id"], subset_base["version"])
        ]
        ids += [i for sel in selectors.values() for i in sel if i not in set(ids)]
        file = writer.file_name(pdir / "dimensions" / "subset", name)
        _write_csv(
            pdir / "dimensions" / "subset" / file,
            ["id", *selectors],
            [[i, *("x" if i in set(v) else "" for v in selectors.values())] for i in ids],
        )
        described = {
            s["name"]: s.get("description") or s["name"]
            for s in stored_subsets.get(name, {}).get("selectors", [])
        }
        subset_configs.append(
            {
                "name": name,
                "description": subset.get("description") or name,
                "type": subset["type"],
                "filename": f"dimensions/subset/{file}",
                "create_supplemental_dimension": stored_subsets.get(name, {}).get(
                    "create_supplemental_dimension", True
                ),
                "selectors": [{"name": s, "description": described.get(s, s)} for s in selectors],
            }
        )
    datasets = []
    for ds in config.get("datasets", []):
        entry = {
            "dataset_id": ds["dataset_id"],
            "dataset_type": ds.get("dataset_type", "modeled"),
            # Registered anew from this folder, each dataset is the reference's 1.0.0; its
            # submission fails without a version here (the reference looks up "None").
            "version": "1.0.0",
            "required_dimensions": _required(ds.get("required_dimensions") or {}),
        }
        datasets.append(entry)
    project_config = {
        "project_id": project_id,
        "name": config.get("name") or project_id,
        "description": config.get("description") or project_id,
        "datasets": datasets,
        "dimensions": {
            "base_dimensions": base_dims,
            "supplemental_dimensions": supplemental,
            "subset_dimensions": subset_configs,
        },
    }
    _write_json(pdir / "project.json5", project_config)

    bulk_datasets, submissions = [], []
    for dataset_id, status in (extra.get("datasets") or {}).items():
        if status.get("status") != "Registered":
            continue
        ds_version = status.get("version")
        rel = _export_dataset(writer, dataset_id, ds_version, base, status, out_dir)
        report.datasets[dataset_id] = {
            "version": ds_version,
            "rows": registry.show("dataset", dataset_id, ds_version).row_count,
        }
        bulk_datasets.append(
            {
                "dataset_id": dataset_id,
                "config_file": f"{rel}/dataset.json5",
                "replace_dimension_names_with_ids": True,
            }
        )
        submission = {"dataset_id": dataset_id, "project_id": project_id}
        if (out_dir / rel / "dimension_mappings.json5").exists():
            submission["dimension_mapping_file"] = f"{rel}/dimension_mappings.json5"
            submission["replace_dimension_mapping_names_with_ids"] = True
        submissions.append(submission)
    _write_json(
        out_dir / BULK_FILE,
        {
            "projects": [{"project_id": project_id, "config_file": "project/project.json5"}],
            "datasets": bulk_datasets,
            "dataset_submissions": submissions,
        },
    )
    return report


def _export_dataset(
    writer: _Writer,
    dataset_id: str,
    version: str,
    base: dict[str, dict[str, Any]],
    status: dict[str, Any],
    out_dir: Path,
) -> str:
    registry = writer.registry
    record = registry.show("dataset", dataset_id, version)
    rel = f"datasets/{dataset_id}"
    folder = out_dir / rel
    folder.mkdir(parents=True, exist_ok=True)
    config = {k: record.config[k] for k in _DATASET_FIELDS if record.config.get(k) is not None}
    dims, refs = [], []
    for dim_type, dim in record.extra["dimensions"].items():
        project_dim = base.get(dim_type)
        if project_dim and (project_dim["id"], project_dim["version"]) == (
            dim["id"],
            dim["version"],
        ):
            # the project's base dimension: named, as the reference resolves names to ids
            refs.append({"type": dim_type, "name": dim["name"], "version": "1.0.0"})
        else:
            dims.append(writer.dimension(dim, folder, "dimensions"))
    config["dimensions"] = dims
    config["dimension_references"] = refs
    # Our stored table has a column for every dimension, trivial ones included.
    config["trivial_dimensions"] = []
    layout: dict[str, Any] = {
        "table_format": "one_table",
        "value_format": "stacked",
        "data_file": {"path": "load_data.parquet"},
    }
    registry.data.download(record.data_path, folder / "load_data.parquet")
    missing = registry.data.sibling(record.data_path, MISSING_FILE)
    if registry.data.exists(missing):
        target = folder / "missing_associations.parquet"
        registry.data.download(missing, target)
        if _has_rows(target):
            layout["missing_associations"] = [target.name]
        else:
            target.unlink()
    config["data_layout"] = layout
    _write_json(folder / "dataset.json5", config)
    mappings = []
    for ref in status.get("mappings") or []:
        entry = writer.mapping(ref["mapping_id"], ref["version"], folder, "mappings")
        entry["dimension_type"] = ref["dimension_type"]
        mappings.append(entry)
    if mappings:
        _write_json(folder / "dimension_mappings.json5", {"mappings": mappings})
    return rel


def registry_records(registry, dimension_id: str, version: str) -> list[dict[str, Any]]:
    return registry.store.dimension_records(dimension_id, version)


def _has_rows(path: Path) -> bool:
    import pyarrow.parquet as pq  # late: pyarrow

    return pq.ParquetFile(path).metadata.num_rows > 0
