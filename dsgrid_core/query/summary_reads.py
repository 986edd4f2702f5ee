"""What a query read of each dataset version: its summaries (``data.summaries``) or its
table; and a context whose datasets have no summaries (``use_summaries=False``), so that every
answer can be checked against the full scan."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from dsgrid_core.query.context_types import ProjectContext, SourceDataset


def _all(context: ProjectContext) -> list[SourceDataset]:
    found = list(context.datasets)
    for p in context.projections.values():
        found += [p.initial, p.growth]
    return found + list(context.compared.values())


def without_summaries(context: ProjectContext) -> ProjectContext:
    def bare(ds: SourceDataset) -> SourceDataset:
        return replace(ds, summary_path=None, period_summaries=())

    return replace(
        context,
        datasets=[bare(d) for d in context.datasets],
        projections={
            k: replace(p, initial=bare(p.initial), growth=bare(p.growth))
            for k, p in context.projections.items()
        },
        compared={k: bare(d) for k, d in context.compared.items()},
    )


def reads(context: ProjectContext, tables: dict[str, tuple[str, Any]]) -> list[dict[str, str]]:
    """For each dataset version what the plan's ``tables`` read of it: "summary" (over time),
    a summary by local period (its label: "summary per week", "summary per day over
    geography", ...), "table", or several joined by "and"."""
    paths = {str(value) for kind, value in tables.values() if kind == "parquet"}
    found: dict[tuple[str, str], list[str]] = {}
    for ds in _all(context):
        read = found.setdefault((ds.dataset_id, ds.version), [])
        if ds.summary_path is not None and str(ds.summary_path) in paths and "summary" not in read:
            read.append("summary")
        for period in ds.period_summaries:
            if str(period.location) in paths and period.label not in read:
                read.append(period.label)
        if str(ds.table_path) in paths and "table" not in read:
            read.append("table")
    return [
        {"dataset_id": d, "version": v, "read": " and ".join(r)} for (d, v), r in found.items() if r
    ]
