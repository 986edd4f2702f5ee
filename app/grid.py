"""Server-side AG Grids: the grid asks for a block of rows (AG Grid's infinite row model) and a
callback answers from a dsgrid_core paging function. Only this module knows AG Grid's filter
and sort models; pages hand over dsgrid_core Filters and sorts."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import dash_ag_grid as dag

from dsgrid_core.browse.paging import AnyOf, Filter
from dsgrid_core.errors import DsgridError

BLOCK_SIZE = 100

# AG Grid filter type -> dsgrid_core operator
OPERATORS = {
    "equals": "exact",
    "notEqual": "not",
    "contains": "contains",
    "notContains": "notcontains",
    "startsWith": "startswith",
    "endsWith": "endswith",
    "greaterThan": "gt",
    "greaterThanOrEqual": "gte",
    "lessThan": "lt",
    "lessThanOrEqual": "lte",
    "blank": "blank",
    "notBlank": "notblank",
}


def _condition(column: str, model: dict[str, Any]) -> list[Filter | AnyOf]:
    if "conditions" in model or "condition1" in model:
        parts = model.get("conditions") or [model.get("condition1"), model.get("condition2")]
        singles = [f for part in parts if part for f in _condition(column, part)]
        if model.get("operator", "AND").upper() == "OR":
            flat = tuple(f for f in singles if isinstance(f, Filter))
            return [AnyOf(flat)] if flat else []
        return singles
    kind = model.get("type", "contains")
    if kind == "inRange":
        return [
            Filter(column, "gte", model.get("filter")),
            Filter(column, "lte", model.get("filterTo")),
        ]
    if model.get("filterType") == "set":
        return [Filter(column, "in", list(model.get("values") or []))]
    operator = OPERATORS.get(kind)
    if operator is None:
        return []
    value = model.get("filter", model.get("dateFrom"))
    if operator not in ("blank", "notblank") and value in (None, ""):
        return []
    return [Filter(column, operator, value)]


def filters_from_model(filter_model: dict[str, Any] | None) -> list[Filter | AnyOf]:
    """AG Grid's filterModel as dsgrid_core filters (unknown filter types are ignored)."""
    out: list[Filter | AnyOf] = []
    for column, model in (filter_model or {}).items():
        out += _condition(column, model)
    return out


def sort_from_model(sort_model: list[dict[str, Any]] | None) -> list[tuple[str, bool]]:
    return [(s["colId"], s.get("sort") == "desc") for s in sort_model or [] if s.get("colId")]


def answer(
    request: dict[str, Any] | None, fetch: Callable[..., Any], *args: Any, **kwargs: Any
) -> dict[str, Any]:
    """The grid's getRowsResponse for ``request``: ``fetch(*args, **kwargs, filters=, sort=,
    offset=, limit=)`` returns a dsgrid_core Page (``fetch`` is often ``state.cached`` with the
    browse function first in ``args``). A bad filter answers an empty block instead of failing."""
    request = request or {}
    start = int(request.get("startRow") or 0)
    end = int(request.get("endRow") or start + BLOCK_SIZE)
    try:
        page = fetch(
            *args,
            **kwargs,
            filters=filters_from_model(request.get("filterModel")),
            sort=sort_from_model(request.get("sortModel")),
            offset=start,
            limit=max(end - start, 1),
        )
    except DsgridError:
        return {"rowData": [], "rowCount": 0}
    return {"rowData": page.items, "rowCount": page.total}


def column_defs(columns: list[str], *, numeric: tuple[str, ...] = (), links: dict | None = None):
    defs = []
    for name in columns:
        spec: dict[str, Any] = {"field": name, "headerName": name}
        if name in numeric:
            spec["filter"] = "agNumberColumnFilter"
            spec["type"] = "numericColumn"
        if links and name in links:
            spec["cellRenderer"] = "markdown"
        defs.append(spec)
    return defs


def server_grid(grid_id: str, columns: list[dict[str, Any]], *, height: int = 480, **kwargs):
    """An AG Grid whose rows come from a callback on its getRowsRequest."""
    return dag.AgGrid(
        id=grid_id,
        rowModelType="infinite",
        columnDefs=columns,
        defaultColDef={
            "filter": "agTextColumnFilter",
            "floatingFilter": True,
            "sortable": True,
            "resizable": True,
            "filterParams": {"maxNumConditions": 2, "buttons": ["reset"]},
        },
        dashGridOptions={
            "cacheBlockSize": BLOCK_SIZE,
            "maxBlocksInCache": 20,
            "infiniteInitialRowCount": 1,
            "pagination": True,
            "paginationPageSize": BLOCK_SIZE,
            "paginationPageSizeSelector": False,
        },
        style={"height": f"{height}px", "width": "100%"},
        **kwargs,
    )
