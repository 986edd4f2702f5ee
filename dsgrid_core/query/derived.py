"""Derived datasets: a dataset config made from a project query's result (dsgrid's
``dsgrid query project create-derived-dataset-config``, ``dsgrid/query/derived_dataset.py``).

The result folder (``dsgrid query run``'s ``OUTPUT/<name>``: table.parquet or table.csv and
query.json5) becomes, in the destination folder, ``dataset.json5`` (dataset_id: the query's
``project.dataset.dataset_id``; one table, stacked or pivoted as the result is), its data file
``load_data.parquet`` (the result's table). As in dsgrid, each dimension column is compared
with the project's dimensions: the base dimension when the column holds exactly its records,
otherwise a supplemental dimension that it does. The time column must be the project's time.
Where dsgrid also writes dimension_mapping_references.json5 naming the project's base ->
supplemental mapping for a supplemental column, a note says instead that submitting needs a
mapping from that dimension to the base one: the project's mapping goes the other way, and
reversing it (``submit-dataset -a``) would repeat the aggregated values in every base record.

Refused (InputError), as dsgrid refuses them or cannot register the config: a result with
column_type 'dimension_names' or replace_ids_with_names; a result without a column for every
dimension type; a time column other than the project's time (a time function, a time zone);
records that match no project dimension (dsgrid writes a new supplemental dimension for those,
to be registered first: not done here); metric units converted (result.unit).
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

from dsgrid_core.config.dimension import NON_TIME_TYPES
from dsgrid_core.config.files import load_json5
from dsgrid_core.config.query import ProjectQueryConfig
from dsgrid_core.errors import InputError
from dsgrid_core.query.context import load_project_context
from dsgrid_core.query.run import parse_query

CONFIG_FILE = "dataset.json5"
DATA_FILE = "load_data.parquet"


def _read_result(src: Path):
    import pyarrow.parquet as pq  # late: pyarrow

    query_file = src / "query.json5"
    table_file = src / "table.parquet"
    if not query_file.exists() or not (table_file.exists() or (src / "table.csv").exists()):
        raise InputError(
            f"{src} is not a query result folder (it needs query.json5 and table.parquet, as "
            "`dsgrid query run` writes them)."
        )
    if not table_file.exists():
        raise InputError(
            f"{src} holds table.csv: a derived dataset is made from a Parquet result (CSV "
            "loses the record ids' types, such as county FIPS codes' leading zeros); run the "
            "query again with result.output_format 'parquet'."
        )
    query = parse_query(load_json5(query_file), str(query_file))
    return query, pq.read_table(table_file)


def _check_query(query) -> None:
    if not isinstance(query, ProjectQueryConfig):
        raise InputError("a derived dataset is made from a project query's result.")
    result = query.result
    if result.column_type != "dimension_types":
        raise InputError(
            "result.column_type: a derived dataset is made from a result whose columns are "
            "named by dimension type (column_type 'dimension_types'), as dsgrid requires; got "
            f"'{result.column_type}'. Run the query again with column_type 'dimension_types'."
        )
    if result.replace_ids_with_names:
        raise InputError(
            "result.replace_ids_with_names: a derived dataset needs record ids, not names "
            "(dsgrid refuses it too); run the query again without it."
        )
    if result.unit:
        raise InputError(
            "result.unit: the result's metrics were converted to one unit, which no project "
            "metric dimension records; run the query again without result.unit."
        )
    if result.time_zone:
        raise InputError(
            "result.time_zone: the result's times are wall-clock times of a zone, not the "
            "project's time; run the query again without result.time_zone."
        )
    if result.limit is not None or result.offset:
        raise InputError(
            "result.limit / result.offset: the result is a page of the whole; run the query "
            "again without them."
        )


def _project_time_ok(context, query, table) -> None:
    for aggregation in query.result.aggregations[:1]:
        for dim_type, names in aggregation.dimensions.items():
            if dim_type.value == "time":
                for ref in names:
                    if getattr(ref, "function", None):
                        raise InputError(
                            "result.aggregations: the time column is made by a time function "
                            f"('{ref.function}'), not the project's time; keep the project's "
                            "time (no function) to make a dataset of the result."
                        )
    if "timestamp" not in table.column_names:
        raise InputError(
            "the result has no time column ('timestamp'): a dataset needs the project's time; "
            "keep time in the aggregation."
        )


def create_derived_dataset_config(
    registry, src: Path, dst: Path, *, overwrite: bool = False
) -> dict[str, Any]:
    """Write the dataset config made from the result in ``src`` into ``dst``; returns a
    summary (dataset_id, files written, dimensions referenced)."""
    src, dst = Path(src), Path(dst)
    query, table = _read_result(src)
    _check_query(query)
    project = query.project
    context = load_project_context(registry, project.project_id, project.version)
    _project_time_ok(context, query, table)
    fmt = query.result.table_format
    pivot = fmt.pivoted_dimension_type.value if fmt.format_type == "pivoted" else None
    columns = set(table.column_names)
    references: list[dict[str, Any]] = []
    notes: list[str] = []
    for t in NON_TIME_TYPES:
        if t == pivot:
            ids = {c for c in table.column_names if c not in (*NON_TIME_TYPES, "timestamp")}
        elif t in columns:
            ids = {str(v) for v in table.column(t).unique().to_pylist() if v is not None}
        else:
            raise InputError(
                f"the result has no {t} column: a dataset needs every dimension type. Keep "
                f"{t} in the query's aggregation (its base or a supplemental dimension)."
            )
        base = context.base[t]
        if ids == set(base.ids):
            references.append({"type": t, "dimension_id": base.id, "version": base.version})
            continue
        supp = next(
            (
                s
                for s in context.supplemental
                if s.dimension.type == t and ids == set(s.dimension.ids)
            ),
            None,
        )
        if supp is None:
            missing = sorted(set(base.ids) - ids)[:5]
            raise InputError(
                f"the result's {t} records match no dimension of project "
                f"'{context.project_id}' (base '{base.name}' has {len(base.ids)} records; the "
                f"result {len(ids)}{', lacking ' + ', '.join(missing) if missing else ''}). "
                "dsgrid would write a new supplemental dimension to register first; here, "
                "query the records of a project dimension (base or supplemental) instead."
            )
        references.append(
            {"type": t, "dimension_id": supp.dimension.id, "version": supp.dimension.version}
        )
        notes.append(
            f"{t}: the result holds the project's supplemental dimension "
            f"'{supp.dimension.name}'; to submit the dataset to the project, give a mapping "
            f"from it to the base dimension '{base.name}' (`submit-dataset -m`). dsgrid names "
            f"the project's mapping '{supp.mapping_id}' (base to supplemental) in a "
            "dimension_mapping_references.json5, which maps the other way and is not written."
        )
    time = context.base["time"]
    references.append({"type": "time", "dimension_id": time.id, "version": time.version})

    if dst.exists():
        if not overwrite:
            raise InputError(f"{dst} already exists; remove it or pass --overwrite.")
        shutil.rmtree(dst)
    dst.mkdir(parents=True)
    import pyarrow.parquet as pq  # late: pyarrow

    pq.write_table(table, dst / DATA_FILE)
    layout: dict[str, Any] = {
        "table_format": "one_table",
        "value_format": "pivoted" if pivot else "stacked",
        "data_file": {"path": DATA_FILE},
    }
    if pivot:
        layout["pivoted_dimension_type"] = pivot
    dataset_id = project.dataset.dataset_id
    config = {
        "dataset_id": dataset_id,
        "dataset_type": "modeled",
        "data_source": "dsgrid query",
        "data_classification": "moderate",
        "description": f"Derived from query '{query.name}' of project '{context.project_id}' "
        f"(version {context.version}).",
        "sector_description": "",
        "origin_project": context.project_id,
        "origin_version": context.version,
        "use_project_geography_time_zone": True,
        "data_layout": layout,
        "dimensions": [],
        "dimension_references": references,
    }
    (dst / CONFIG_FILE).write_text(json.dumps(config, indent=2) + "\n")
    return {
        "dataset_id": dataset_id,
        "folder": str(dst),
        "files": [CONFIG_FILE, DATA_FILE],
        "dimension_references": references,
        "notes": notes,
    }
