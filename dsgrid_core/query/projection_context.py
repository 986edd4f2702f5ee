"""Projection source datasets of a project query (dsgrid's ProjectionDatasetModel), resolved
against the project: the two datasets each reads, what cannot be computed exactly refused.

dsgrid 0.4.0 (``dsgrid/dataset/growth_rates.py``, ``Project._build_projection_dataset``) maps
both datasets to the project's base dimensions, keeps the initial-value rows of the base year
(by default the smallest model year of the initial-value dataset), drops their model year,
repeats them for every model year of the growth-rate dataset and joins the growth rates on
every other dimension (inner join), value x (1 + rate) ** (model_year - base_year).
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from dsgrid_core.config.time_dimension import NoOpTimeConfig
from dsgrid_core.errors import InputError
from dsgrid_core.query.context_types import ProjectContext, Projection, SourceDataset


def base_model_years(ds: SourceDataset) -> list[str]:
    """The project's base model years a dataset's rows are mapped to."""
    own = ds.record_ids.get("model_year", [])
    rows = ds.mappings.get("model_year")
    if rows is None:
        return sorted(set(own))
    keep = set(own)
    return sorted({to for f, to, _ in rows if f in keep and to is not None})


def _years(ds: SourceDataset, where: str) -> dict[str, int]:
    years = {}
    for year in base_model_years(ds):
        try:
            years[year] = int(year)
        except ValueError:
            raise InputError(
                f"{where}: dataset '{ds.dataset_id}' has model year '{year}', which is not a "
                "year; a projection computes model_year - base_year (dsgrid casts it to an "
                "integer)."
            ) from None
    return years


def add_projections(
    registry,
    context: ProjectContext,
    dataset_ids: list[str],
    projections: list[tuple[str, Any]],
    order: list[str],
) -> ProjectContext:
    """``context`` (loaded with every dataset the query reads) with the projections: each in
    ``context.projections`` and, as a stand-in, in ``context.datasets`` (in ``order``, the
    query's source ids); datasets read only by projections are left out of it."""
    by_id = {ds.dataset_id: ds for ds in context.datasets}
    result: dict[str, Projection] = {}
    stand_ins: dict[str, SourceDataset] = {}
    taken = set(dataset_ids)
    for where, p in projections:
        if p.dataset_id in taken or p.dataset_id in result:
            raise InputError(
                f"{where}.dataset_id: '{p.dataset_id}' names another source dataset of the "
                "query too; give the projection an id of its own (one the project lists)."
            )
        if p.dataset_id in (p.initial_value_dataset_id, p.growth_rate_dataset_id):
            raise InputError(
                f"{where}.dataset_id: '{p.dataset_id}' is one of the datasets the projection "
                "reads; give the result an id of its own (one the project lists)."
            )
        if p.dataset_id not in context.listed_dataset_ids:
            raise InputError(
                f"{where}.dataset_id: project '{context.project_id}' does not list a dataset "
                f"'{p.dataset_id}' (dsgrid requires the projection's id to be one of the "
                "project's datasets, such as the projected dataset it stands for); add it to "
                "the project's datasets or use one it lists."
            )
        if p.construction_method == "annual_multiplier" and p.base_year is not None:
            raise InputError(
                f"{where}.base_year: annual_multiplier multiplies each model year's initial "
                "values by that year's multiplier and has no base year; remove base_year, or "
                "use exponential_growth."
            )
        initial = by_id[p.initial_value_dataset_id]
        growth = by_id[p.growth_rate_dataset_id]
        if isinstance(initial.time_config, NoOpTimeConfig):
            raise InputError(
                f"{where}.initial_value_dataset_id: dataset '{initial.dataset_id}' has no time "
                "(no-op); a projection here starts from a dataset with time. Query the two "
                "datasets with a '*' expression instead."
            )
        if not isinstance(growth.time_config, NoOpTimeConfig):
            raise InputError(
                f"{where}.growth_rate_dataset_id: dataset '{growth.dataset_id}' has time; "
                "growth rates are read without time (a no-op time dimension, as dsgrid's AEO "
                "growth-factor datasets), one rate per model year and dimension."
            )
        initial_years = _years(initial, f"{where}.initial_value_dataset_id")
        _years(growth, f"{where}.growth_rate_dataset_id")
        if not initial_years:
            raise InputError(
                f"{where}.initial_value_dataset_id: dataset '{initial.dataset_id}' has no "
                "model year in the project."
            )
        if p.base_year is not None and p.base_year not in initial_years.values():
            raise InputError(
                f"{where}.base_year: {p.base_year} is not a model year of the initial-value "
                f"dataset '{initial.dataset_id}' ({', '.join(sorted(initial_years))}); give "
                "one of those, or leave base_year out (the smallest)."
            )
        base_year = p.base_year if p.base_year is not None else min(initial_years.values())
        if p.construction_method == "annual_multiplier":
            base_year = None
        result[p.dataset_id] = Projection(
            dataset_id=p.dataset_id,
            initial=initial,
            growth=growth,
            method=p.construction_method,
            base_year=base_year,
            where=where,
        )
        # The stand-in: the initial-value dataset's dimensions with the growth-rate dataset's
        # model years (what the projection's rows hold), for shapes, units and selections.
        record_ids = dict(initial.record_ids)
        record_ids["model_year"] = list(growth.record_ids.get("model_year", []))
        mappings = dict(initial.mappings)
        mappings.pop("model_year", None)
        if "model_year" in growth.mappings:
            mappings["model_year"] = growth.mappings["model_year"]
        stand_ins[p.dataset_id] = replace(
            initial,
            dataset_id=p.dataset_id,
            record_ids=record_ids,
            mappings=mappings,
            row_count=None,
        )
    datasets = [stand_ins[d] if d in stand_ins else by_id[d] for d in order]
    return replace(context, datasets=datasets, projections=result)
