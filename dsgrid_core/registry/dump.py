"""Writing a registered component back to files that can be registered again."""

from __future__ import annotations

import csv
import json
from pathlib import Path

from dsgrid_core.data.base_store import MISSING_FILE
from dsgrid_core.errors import InputError


def _write_json5(path: Path, data) -> None:
    path.write_text(json.dumps(data, indent=2, default=str) + "\n", encoding="utf-8")


def _write_records(path: Path, records: list[dict]) -> None:
    columns = list(dict.fromkeys(k for r in records for k in r))
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=columns)
        writer.writeheader()
        writer.writerows(records)


def dump_component(registry, kind: str, id: str, out_dir: Path, version: str | None) -> Path:
    record = registry.show(kind, id, version)
    target = out_dir / id
    if target.exists() and any(target.iterdir()):
        raise InputError(f"{target} exists and is not empty; choose another folder.")
    target.mkdir(parents=True, exist_ok=True)
    config = dict(record.config)
    if kind == "dimension":
        records = registry.store.dimension_records(id, record.version)
        if records:
            _write_records(target / "records.csv", records)
            config["file"] = "records.csv"
        _write_json5(target / "dimension.json5", config)
    elif kind == "dimension_mapping":
        rows = registry.store.mapping_records(id, record.version)
        with open(target / "records.csv", "w", newline="", encoding="utf-8") as handle:
            writer = csv.writer(handle)
            writer.writerow(["from_id", "to_id", "from_fraction"])
            writer.writerows([(f, t or "", x) for f, t, x in rows])
        config["file"] = "records.csv"
        for side in ("from_dimension", "to_dimension"):
            ref = config[side]
            config[side] = {"name": ref["name"], "type": ref["type"], "version": ref["version"]}
        _write_json5(target / "dimension_mapping.json5", config)
    elif kind == "dataset":
        # Copied from wherever the data is kept (a folder or an object store).
        registry.data.download(record.data_path, target / "load_data.parquet")
        dims = record.extra["dimensions"]
        config.pop("dimensions", None)
        config["dimension_references"] = [
            {"type": t, "name": d["name"], "version": d["version"]} for t, d in dims.items()
        ]
        config["trivial_dimensions"] = []
        layout = {
            "table_format": "one_table",
            "value_format": "stacked",
            "data_file": {"path": "load_data.parquet"},
        }
        missing = registry.data.sibling(record.data_path, MISSING_FILE)
        if registry.data.exists(missing):
            registry.data.download(missing, target / MISSING_FILE)
            layout["missing_associations"] = [MISSING_FILE]
        config["data_layout"] = layout
        _write_json5(target / "dataset.json5", config)
    elif kind == "project":
        from dsgrid_core.registry.project_requirements import bases_from_extra  # late: pydantic

        dims = config["dimensions"]
        written = {g["name"]: g for g in dims.get("subset_dimensions") or []}
        dims.pop("base_dimensions", None)
        dims["base_dimension_references"] = [
            {"type": d["type"], "name": d["name"], "version": d["version"]}
            for d in bases_from_extra(record.extra)
        ]
        dims.pop("supplemental_dimensions", None)
        dims["supplemental_dimension_references"] = [
            {"type": s["type"], "name": s["name"], "version": s["version"]}
            for s in record.extra["supplemental_dimensions"]
        ]
        subsets = []
        for name, subset in record.extra["subset_dimensions"].items():
            filename = f"subset_{len(subsets)}.csv"
            ids = sorted({i for sel in subset["selectors"].values() for i in sel})
            if "base_id" in subset:  # a subset file lists every record of its base dimension
                ids = [
                    r["id"]
                    for r in registry.store.dimension_records(
                        subset["base_id"], subset["base_version"]
                    )
                ]
            rows = [
                {"id": i, **{s: ("x" if i in v else "") for s, v in subset["selectors"].items()}}
                for i in ids
            ]
            _write_records(target / filename, rows)
            subsets.append(
                {
                    "name": name,
                    "type": subset["type"],
                    "filename": filename,
                    "description": subset.get("description", ""),
                    "selectors": [
                        {"name": s, "description": d.get("description", "")}
                        for s in subset["selectors"]
                        for d in [
                            next(
                                (
                                    x
                                    for x in written.get(name, {}).get("selectors", [])
                                    if x.get("name") == s
                                ),
                                {},
                            )
                        ]
                    ],
                    **(
                        {"base_dimension_name": subset["base_name"]}
                        if "base_name" in subset
                        else {}
                    ),
                }
            )
        dims["subset_dimensions"] = subsets
        mappings = []
        for s in record.extra["supplemental_dimensions"]:
            m = registry.show("dimension_mapping", s["mapping_id"], s["mapping_version"])
            mappings.append(
                {
                    "from_dimension_type": s["type"],
                    "to_dimension_type": s["type"],
                    "mapping_names": {
                        "from": m.config["from_dimension"]["name"],
                        "to": m.config["to_dimension"]["name"],
                    },
                    "version": s["mapping_version"],
                }
            )
        config["dimension_mappings"] = {"base_to_supplemental_references": mappings}
        for ds in config.get("datasets", []):
            ds["status"] = "Unregistered"
            ds.pop("mapping_references", None)
            ds.pop("version", None)
        _write_json5(target / "project.json5", config)
    return target
