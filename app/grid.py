"""Server-side AG Grids: the grid asks for a block of rows (AG Grid's infinite row model) and a
callback answers from a dsgrid_core paging function. Only this module knows AG Grid's filter
and sort models; pages hand over dsgrid_core Filters and sorts.

A grid's filters and sort also travel as the API's query parameters (``filter=COLUMN:OP:VALUE``,
``any=GROUP:COLUMN:OP:VALUE``, ``sort=a,-b``): the page's URL keeps them in that form, its
download and API links carry them as they are, and a page opened on such a URL gives them back
to its grid (``grid_state``)."""

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


def _text(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return "" if value is None else str(value)


def _filter_text(f: Filter) -> str:
    if f.operator in ("blank", "notblank"):
        return f"{f.column}:{f.operator}"
    if f.operator == "in":
        values = f.value if isinstance(f.value, list | tuple) else [f.value]
        return f"{f.column}:in:{','.join(_text(v) for v in values)}"
    return f"{f.column}:{f.operator}:{_text(f.value)}"


def query_params(
    filter_model: dict[str, Any] | None, sort_model: list[dict[str, Any]] | None
) -> list[tuple[str, str]]:
    """The grid's filters and sort as the API's query parameters (and the page URL's)."""
    params: list[tuple[str, str]] = []
    group = 0
    for f in filters_from_model(filter_model):
        if isinstance(f, AnyOf):
            group += 1
            params += [("any", f"{group}:{_filter_text(single)}") for single in f.filters]
        else:
            params.append(("filter", _filter_text(f)))
    sort = sort_from_model(sort_model)
    if sort:
        params.append(("sort", ",".join(("-" if d else "") + c for c, d in sort)))
    return params


REVERSE = {v: k for k, v in OPERATORS.items()}


def _as_list(value: str | list[str] | None) -> list[str]:
    if value is None:
        return []
    return [value] if isinstance(value, str) else list(value)


def _ag_condition(operator: str, value: str, numeric: bool) -> dict[str, Any] | None:
    kind = REVERSE.get(operator)
    if kind is None:
        return None
    condition: dict[str, Any] = {"filterType": "number" if numeric else "text", "type": kind}
    if operator not in ("blank", "notblank"):
        if numeric:
            try:
                condition["filter"] = float(value)
            except ValueError:
                return None
        else:
            condition["filter"] = value
    return condition


def _ag_model(conditions: list[dict[str, Any]], operator: str) -> dict[str, Any]:
    if len(conditions) == 1:
        return conditions[0]
    kind = conditions[0]["filterType"]
    return {"filterType": kind, "operator": operator, "conditions": conditions[:2]}


def grid_state(
    filter: str | list[str] | None,
    any: str | list[str] | None,
    sort: str | list[str] | None,
    columns: list[str],
    *,
    numeric: tuple[str, ...] = (),
) -> tuple[dict[str, Any], list[tuple[str, bool]]]:
    """The AG Grid filterModel and the sort of the API-style parameters of a page URL
    (``query_params`` the other way round). What names no column, or what the grid cannot
    show (a third condition on a column), is left out."""
    singles: dict[str, list[dict[str, Any]]] = {}
    for text in _as_list(filter):
        column, _, rest = text.partition(":")
        operator, _, value = rest.partition(":")
        made = _ag_condition(operator, value, column in numeric)
        if column in columns and made:
            singles.setdefault(column, []).append(made)
    model = {c: _ag_model(conds, "AND") for c, conds in singles.items()}
    groups: dict[str, list[tuple[str, dict[str, Any]]]] = {}
    for text in _as_list(any):
        group, _, rest = text.partition(":")
        column, _, rest = rest.partition(":")
        operator, _, value = rest.partition(":")
        made = _ag_condition(operator, value, column in numeric)
        if column in columns and made:
            groups.setdefault(group, []).append((column, made))
    for members in groups.values():
        column = members[0][0]
        if column not in model and all(c == column for c, _ in members):
            model[column] = _ag_model([m for _, m in members], "OR")
    order = []
    sort = sort[-1] if isinstance(sort, list) else sort
    for part in (sort or "").split(","):
        name = part.strip().lstrip("-")
        if name in columns:
            order.append((name, part.strip().startswith("-")))
    return model, order


def sorted_columns(
    columns: list[dict[str, Any]], sort: list[tuple[str, bool]]
) -> list[dict[str, Any]]:
    """Column definitions that open the grid sorted by ``sort``."""
    rank = {name: (i, descending) for i, (name, descending) in enumerate(sort)}
    out = []
    for spec in columns:
        if spec.get("field") in rank:
            index, descending = rank[spec["field"]]
            spec = {**spec, "sort": "desc" if descending else "asc", "sortIndex": index}
        out.append(spec)
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


def server_grid(
    grid_id: str,
    columns: list[dict[str, Any]],
    *,
    height: int = 480,
    filter_model: dict[str, Any] | None = None,
    sort: list[tuple[str, bool]] | None = None,
    **kwargs,
):
    """An AG Grid whose rows come from a callback on its getRowsRequest; it opens with
    ``filter_model`` and ``sort`` (from the page URL, see ``grid_state``) when given."""
    if filter_model:
        kwargs["filterModel"] = filter_model
    return dag.AgGrid(
        id=grid_id,
        rowModelType="infinite",
        columnDefs=sorted_columns(columns, sort or []),
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
