"""The summaries of a registered dataset version written again, as a registration by this
version of dsgrid_core writes them (`data.summary_writer`): for `dsgrid registry copy
--rewrite-summaries`, which gives a registry made before a kind of summary existed (or with
another share) the summaries of today in its copy. The version's table is never changed."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from dsgrid_core.config.any_dimension import parse_dimension
from dsgrid_core.data.base_store import TABLE_FILE
from dsgrid_core.data.duck import connect
from dsgrid_core.data.summary_writer import metric_units, write_summaries
from dsgrid_core.registry.store import RegistryStore, VersionRecord
from dsgrid_core.sql import lit


def version_metric_units(store: RegistryStore, record: VersionRecord) -> dict[str, Any]:
    """The dataset version's metric ids -> their unit (None where a record has none)."""
    metric = (record.extra or {}).get("dimensions", {}).get("metric")
    if not metric:
        return {}
    return metric_units(store.dimension_records(metric["id"], metric["version"]))


def rewrite_summaries(
    store: RegistryStore, record: VersionRecord, folder: Path, share: float
) -> dict[str, dict[str, Any]]:
    """Write dataset version ``record``'s summaries beside its table in ``folder`` (a staging
    copy of its files without their summaries: the old ones are not read), those that fit in
    ``share`` of the table's bytes; what its record keeps of them."""
    time = (record.extra or {}).get("dimensions", {}).get("time")
    if not time:
        return {}
    config = store.get_version("dimension", time["id"], time["version"])
    time_config = parse_dimension(config.config)
    con = connect()
    try:
        con.execute(
            "CREATE VIEW stored AS SELECT * FROM "  # noqa: S608
            f"read_parquet({lit(str(folder / TABLE_FILE))})"
        )
        budget = share * (folder / TABLE_FILE).stat().st_size
        return write_summaries(
            con, "stored", folder, time_config, budget, version_metric_units(store, record)
        )
    finally:
        con.close()
