"""What the comparison page (/compare) asks, as a query: its state, the query string that keeps
it (a link restores the comparison), and the project query with a ``comparison`` it runs.
Two versions of one dataset are compared with the project's other datasets read as it lists
them.

The query keeps geography x hour, so one result gives the map (each geography's total), the
load-duration curves (each hour's total) and the peaks. Scenarios, model and weather years not
compared are held at one record each, never summed: alternatives are not parts of a total."""

from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import parse_qsl, urlencode

from dsgrid_core.errors import InputError

DIMENSIONS = {
    "scenario": "Scenario",
    "model_year": "Model year",
    "weather_year": "Weather year",
    "dataset": "Dataset",
    "dataset_version": "Versions of a dataset",
}
HELD = ("scenario", "model_year", "weather_year")  # alternatives: held at one record each
UNITS = ("kWh", "MWh", "GWh", "TWh", "therm", "MBtu")


@dataclass
class CompareState:
    project_id: str = ""
    dimension: str = "scenario"
    base: str = ""
    other: str = ""
    geography: str = ""  # the geography dimension (by name) the map and peaks are per
    unit: str = "MWh"
    held: dict[str, str] = field(default_factory=dict)  # dimension type -> the one record
    end_uses: list[str] = field(default_factory=list)  # only these metric records (all: [])
    dataset: str = ""  # dataset_version: the dataset whose two versions are base and other

    @property
    def complete(self) -> bool:
        versions = self.dimension == "dataset_version"
        return bool(
            self.project_id
            and self.dimension
            and self.base
            and self.other
            and (self.dataset or not versions)
        )


def to_search(s: CompareState) -> str:
    pairs = [
        ("project", s.project_id),
        ("dimension", s.dimension),
        ("dataset", s.dataset if s.dimension == "dataset_version" else ""),
        ("base", s.base),
        ("other", s.other),
        ("geography", s.geography),
        ("unit", s.unit),
        *((f"hold_{t}", v) for t, v in sorted(s.held.items()) if v),
        ("end_uses", ",".join(s.end_uses)),
    ]
    return "?" + urlencode([(k, v) for k, v in pairs if v])


def from_params(params: dict[str, str]) -> CompareState:
    """The state a link holds; an unknown key or value is an InputError naming it."""
    known = {"project", "dimension", "dataset", "base", "other", "geography", "unit", "end_uses"}
    held = {}
    for key, value in params.items():
        if key.startswith("hold_") and key[5:] in HELD:
            held[key[5:]] = value
        elif key not in known:
            raise InputError(
                f"the link has an unknown parameter '{key}'; a comparison link holds "
                f"{', '.join(sorted(known))} and hold_<scenario|model_year|weather_year>."
            )
    dimension = params.get("dimension", "scenario")
    if dimension not in DIMENSIONS:
        raise InputError(
            f"dimension: '{dimension}' cannot be compared; compare one of {', '.join(DIMENSIONS)}."
        )
    unit = params.get("unit", "MWh")
    if unit not in UNITS:
        raise InputError(f"unit: '{unit}' is not one of {', '.join(UNITS)}.")
    held.pop(dimension, None)
    return CompareState(
        project_id=params.get("project", ""),
        dimension=dimension,
        dataset=params.get("dataset", "") if dimension == "dataset_version" else "",
        base=params.get("base", ""),
        other=params.get("other", ""),
        geography=params.get("geography", ""),
        unit=unit,
        held=held,
        end_uses=[e for e in params.get("end_uses", "").split(",") if e],
    )


def from_search(search: str) -> CompareState:
    return from_params(dict(parse_qsl(search.lstrip("?"), keep_blank_values=False)))


def to_query(s: CompareState, facts: dict) -> dict:
    """The project query of the comparison (``facts``: the viewer's ``query_choices``)."""
    if s.dimension == "dataset":
        datasets = [s.base, s.other]
    else:
        datasets = list(facts["datasets"])
    geography = s.geography or facts["dimensions"]["geography"][0]
    parts = (s.dataset, s.base, s.other) if s.dataset else (s.base, s.other)
    name = "compare_" + "_".join("".join(c if c.isalnum() else "_" for c in part) for part in parts)
    filters = [
        {
            "filter_type": "expression",
            "dimension_type": t,
            "dimension_name": t,
            "value": record,
        }
        for t, record in sorted(s.held.items())
        if record and t != s.dimension
    ]
    if s.end_uses:
        filters.append(
            {
                "filter_type": "column_operator",
                "dimension_type": "metric",
                "dimension_name": "metric",
                "operator": "isin",
                "value": list(s.end_uses),
            }
        )
    return {
        "name": name[:80],
        "project": {
            "project_id": s.project_id,
            "dataset": {
                "dataset_id": name[:80],
                "source_datasets": [{"dataset_id": d} for d in datasets],
            },
        },
        "result": {
            "column_type": "dimension_types",
            "unit": s.unit,
            "aggregations": [
                {"dimensions": {"geography": [geography], "time": [facts["time_name"]]}}
            ],
            "dimension_filters": filters,
        },
        "comparison": {
            "dimension": s.dimension,
            "base": s.base,
            "other": s.other,
            **({"dataset_id": s.dataset} if s.dimension == "dataset_version" else {}),
        },
    }
