"""The query builder's state: what a person picked (project, datasets, group-by per dimension,
filters, time, unit), turned into a dsgrid project query and back, into a URL query string and
back, and into the same query as JSON5, a `dsgrid query run` command and a Python snippet.

The state is the one source of a built query: the web page keeps it in its URL, runs
``to_query(state)``, and exports from it; ``from_query`` reads the query a job kept back into
a state."""

from __future__ import annotations

import json
import pprint
import shlex
from typing import Any, Literal
from urllib.parse import parse_qsl, urlencode

from pydantic import Field

from dsgrid_core.config.base import DsgridModel
from dsgrid_core.config.dimension import NON_TIME_TYPES
from dsgrid_core.config.load import validate_model
from dsgrid_core.errors import InputError

TIME_RESOLUTIONS = ("hour", "day", "week", "month", "year")
FUNCTIONS = ("sum", "mean", "min", "max", "count")


class RecordFilter(DsgridModel):
    dimension_name: str  # base or supplemental dimension of the type
    ids: list[str] = Field(min_length=1)


class BuilderState(DsgridModel):
    project_id: str
    datasets: list[str] = Field(default_factory=list)
    group_by: dict[str, str] = Field(
        default_factory=dict, description="dimension type -> dimension name to group by"
    )
    time: Literal["none", "hour", "day", "week", "month", "year"] = "none"
    time_zone: str | None = None
    filters: dict[str, RecordFilter] = Field(default_factory=dict)
    subsets: dict[str, list[str]] = Field(
        default_factory=dict, description="dimension type -> subset selector names"
    )
    unit: str | None = None
    function: Literal["sum", "mean", "min", "max", "count"] = "sum"
    names: bool = False
    chart: str | None = None
    name: str = "query"

    def check(self) -> BuilderState:
        for t in [*self.group_by, *self.filters, *self.subsets]:
            if t not in NON_TIME_TYPES:
                raise InputError(f"'{t}' is not a dimension type; use {', '.join(NON_TIME_TYPES)}.")
        if not self.datasets:
            raise InputError("choose at least one dataset of the project.")
        return self


def to_query(
    state: BuilderState, time_dimension: str, default_unit: str | None = None
) -> dict[str, Any]:
    """The dsgrid project query (a dict, as in a query JSON5 file) of a builder state;
    ``time_dimension`` is the name of the project's time dimension. A result that adds the
    metrics together (no metric group-by) in a project whose metrics have different units gets
    ``default_unit`` (see query.choices.default_unit) when no unit was chosen: values in
    different units are never added as they are."""
    state.check()
    dimensions: dict[str, list] = {t: [name] for t, name in state.group_by.items()}
    if state.time != "none":
        ref: dict[str, Any] = {"dimension_name": time_dimension}
        if state.time != "hour":
            ref["function"] = f"start_of_{state.time}"  # local periods (our time functions)
        dimensions["time"] = [ref]
    filters: list[dict[str, Any]] = [
        {
            "filter_type": "column_operator",
            "dimension_type": t,
            "dimension_name": f.dimension_name,
            "column": "id",
            "operator": "isin",
            "value": list(f.ids),
        }
        for t, f in sorted(state.filters.items())
    ]
    filters += [
        {"filter_type": "subset", "dimension_type": t, "dimension_names": list(names)}
        for t, names in sorted(state.subsets.items())
        if names
    ]
    result: dict[str, Any] = {
        "aggregations": [{"aggregation_function": state.function, "dimensions": dimensions}],
        "dimension_filters": filters,
        "replace_ids_with_names": state.names,
        # columns named by type (geography, metric, timestamp), as the viewer reads them
        "column_type": "dimension_types",
        "sort_columns": [*dimensions.keys()],
    }
    if "time" in dimensions:
        result["sort_columns"] = [
            *(t for t in dimensions if t != "time"),
            "timestamp",
        ]
    if state.time_zone:
        result["time_zone"] = state.time_zone
    if state.unit:
        result["unit"] = state.unit
    elif default_unit and "metric" not in state.group_by and state.function != "count":
        result["unit"] = default_unit
    return {
        "name": state.name,
        "project": {
            "project_id": state.project_id,
            "dataset": {
                "dataset_id": state.name,
                "source_datasets": [
                    {"dataset_id": d, "dataset_type": "standalone"} for d in state.datasets
                ],
            },
        },
        "result": result,
    }


def _resolution(ref) -> str:
    """The builder's time resolution of a time column: hourly instants or local periods; a
    part of the time (dsgrid's hour of the day, month of the year...) is not one."""
    function = ref.get("function") if isinstance(ref, dict) else None
    if not function:
        return "hour"
    resolution = function.removeprefix("start_of_")
    if resolution == function or resolution not in TIME_RESOLUTIONS:
        raise InputError(
            f"the builder shows time as hours or local periods; this query takes the time's "
            f"{function} (dsgrid's time function): edit it as a file."
        )
    return resolution


def from_query(query: dict[str, Any]) -> BuilderState:
    """A builder state from a query the builder made, as given or as parsed (one aggregation,
    id-list and subset filters); other filters and more aggregations are refused with the
    reason. Settings the builder has no control for (pivoting, reports, limits) are not read."""
    try:
        project = query["project"]
        result = query.get("result", {})
        aggregations = result.get("aggregations") or [{"dimensions": {}}]
        if len(aggregations) != 1:
            raise InputError("the builder shows queries with one aggregation.")
        dims = aggregations[0].get("dimensions", {})
        group_by, time = {}, "none"
        for t, names in dims.items():
            if not names:
                continue
            ref = names[0]
            if t == "time":
                time = _resolution(ref)
            else:
                group_by[t] = ref["dimension_name"] if isinstance(ref, dict) else ref
        filters, subsets = {}, {}
        for f in result.get("dimension_filters", []):
            if f["filter_type"] == "subset":
                subsets.setdefault(f["dimension_type"], []).extend(f["dimension_names"])
            elif (
                f["filter_type"] == "column_operator"
                and f.get("operator") == "isin"
                and (f.get("column") or "id") == "id"
                and not f.get("negate")
            ):
                filters[f["dimension_type"]] = RecordFilter(
                    dimension_name=f["dimension_name"], ids=list(f["value"])
                )
            else:
                raise InputError(
                    f"the builder shows id-list and subset filters; this query has a "
                    f"{'negated ' if f.get('negate') else ''}{f['filter_type']} filter: edit it "
                    "as a file."
                )
        return BuilderState(
            name=query.get("name", "query"),
            project_id=project["project_id"],
            datasets=[d["dataset_id"] for d in project["dataset"]["source_datasets"]],
            group_by=group_by,
            time=time,
            time_zone=result.get("time_zone"),
            filters=filters,
            subsets=subsets,
            unit=result.get("unit"),
            function=aggregations[0].get("aggregation_function", "sum"),
            names=bool(result.get("replace_ids_with_names")),
        )
    except (KeyError, TypeError, IndexError) as exc:
        raise InputError(f"not a dsgrid project query: missing or malformed {exc}.") from None


# --- the URL ---------------------------------------------------------------------------------


def to_search(state: BuilderState) -> str:
    """The state as a URL query string (readable: p=..., d=..., g.geography=...)."""
    params: list[tuple[str, str]] = [("p", state.project_id)]
    params += [("d", d) for d in state.datasets]
    params += [(f"g.{t}", name) for t, name in sorted(state.group_by.items())]
    if state.time != "none":
        params.append(("t", state.time))
    if state.time_zone:
        params.append(("tz", state.time_zone))
    for t, f in sorted(state.filters.items()):
        params.append((f"f.{t}", f.dimension_name))
        params += [(f"i.{t}", i) for i in f.ids]
    for t, names in sorted(state.subsets.items()):
        params += [(f"s.{t}", n) for n in names]
    for key, value in (("u", state.unit), ("fn", state.function), ("chart", state.chart)):
        if value and not (key == "fn" and value == "sum"):
            params.append((key, value))
    if state.names:
        params.append(("names", "1"))
    if state.name != "query":
        params.append(("name", state.name))
    return "?" + urlencode(params)


def from_search(search: str) -> BuilderState | None:
    """The state a URL query string holds; None when it names no project."""
    pairs = parse_qsl(search.lstrip("?"), keep_blank_values=False)
    if not any(k == "p" for k, _ in pairs):
        return None
    data: dict[str, Any] = {"datasets": [], "group_by": {}, "filters": {}, "subsets": {}}
    filter_names: dict[str, str] = {}
    filter_ids: dict[str, list[str]] = {}
    for key, value in pairs:
        head, _, t = key.partition(".")
        if key == "p":
            data["project_id"] = value
        elif key == "d":
            data["datasets"].append(value)
        elif head == "g" and t:
            data["group_by"][t] = value
        elif head == "f" and t:
            filter_names[t] = value
        elif head == "i" and t:
            filter_ids.setdefault(t, []).append(value)
        elif head == "s" and t:
            data["subsets"].setdefault(t, []).append(value)
        elif key in ("t", "tz", "u", "fn", "chart", "names", "name"):
            field = {"t": "time", "tz": "time_zone", "u": "unit", "fn": "function"}.get(key, key)
            data[field] = value == "1" if key == "names" else value
    for t, name in filter_names.items():
        if filter_ids.get(t):
            data["filters"][t] = {"dimension_name": name, "ids": filter_ids[t]}

    state, _ = validate_model(BuilderState, data, "the page address")
    return state


# --- exports ---------------------------------------------------------------------------------


def query_json5(query: dict[str, Any]) -> str:
    """The query file (JSON is JSON5), with a comment saying where it came from."""
    return (
        "// A dsgrid project query made in the dsgrid-viewer query builder.\n"
        "// Run it with: dsgrid query run <this file> --output <folder>\n"
        + json.dumps(query, indent=2)
        + "\n"
    )


def cli_command(query_file: str, registry: str | None, output: str = "query_output") -> str:
    parts = ["dsgrid"]
    if registry:
        parts += ["--registry", registry]
    parts += ["query", "run", query_file, "--output", output]
    return shlex.join(parts)


def python_snippet(query: dict[str, Any], registry: str | None) -> str:
    return (
        "from dsgrid_core.service import open_registry, run_query\n\n"
        f"query = {pprint.pformat(query, indent=1, width=96, sort_dicts=False)}\n\n"
        f"with open_registry({registry or '/path/to/registry'!r}, read_only=True) as registry:\n"
        "    result = run_query(registry, query)\n"
        "    frame = result.to_pandas()\n"
        "print(frame.head())\n"
    )
