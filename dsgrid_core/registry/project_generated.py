"""Dimensions dsgrid makes itself when it registers a project: a supplemental dimension for
each subset group (its selectors as records) and an "all" dimension per type. Both are
planned here as ordinary supplemental dimensions with inline records and mappings."""

from __future__ import annotations

from dsgrid_core.config.mapping import SupplementalMapping
from dsgrid_core.config.project import SupplementalDimensionConfig
from dsgrid_core.data.records import read_csv_rows
from dsgrid_core.errors import InputError
from dsgrid_core.registry.project_requirements import base_for, records_of


def _plural(type_: str) -> str:
    return type_[:-1] + "ies" if type_.endswith("y") else type_ + "s"


ALL_DIMENSION_TYPES = ("geography", "sector", "subsector", "weather_year", "model_year", "scenario")
"""Types that get an "all" supplemental dimension, as dsgrid makes at project registration
(metric is left out: its records' units may differ; time has no records)."""


# dsgrid reads a subset file with pandas, so these cells count as empty (pandas' missing-value
# spellings), and any other value selects the record.
EMPTY_CELLS = frozenset(
    {
        "",
        "#N/A",
        "#N/A N/A",
        "#NA",
        "-1.#IND",
        "-1.#QNAN",
        "-NaN",
        "-nan",
        "1.#IND",
        "1.#QNAN",
        "<NA>",
        "N/A",
        "NA",
        "NULL",
        "NaN",
        "None",
        "n/a",
        "nan",
        "null",
    }
)


def plan_subset(plan, registry, prepared, resolver, config_file, i, subset):
    """Read a subset group's CSV: every base record listed once, a non-empty cell under a
    selector's column selects the record (dsgrid reads the cells as present or empty)."""
    where = f"dimensions.subset_dimensions[{i}]"
    base = base_for(
        plan.bases, subset.type.value, subset.base_dimension_name, f"{config_file}: {where}"
    )
    base_ids = set(records_of(registry, prepared, base["id"], base["version"]))
    selectors: dict[str, list[str]] = {}
    if subset.filename is not None:
        path = resolver.resolve(subset.filename, field=f"{where}.filename", config_file=config_file)
        header, rows = read_csv_rows(path)
        if "id" not in header:
            raise InputError(f"{path}: a subset file needs an 'id' column.")
        columns = [c for c in header if c != "id"]
        names = [s.name for s in subset.selectors]
        if sorted(columns) != sorted(names):
            raise InputError(
                f"{path}: the selector columns ({', '.join(columns)}) must be the selectors of "
                f"{where} ({', '.join(names)})."
            )
        for sel in subset.selectors:
            selectors[sel.name] = [
                r["id"] for r in rows if (r.get(sel.name) or "").strip() not in EMPTY_CELLS
            ]
        listed = {r["id"] for r in rows}
        source = str(path)
    else:
        for sel in subset.selectors:
            selectors[sel.name] = list(sel.records)
        listed = set(subset.record_ids) or base_ids
        source = f"{config_file}: {where}"
    unknown = sorted(listed - base_ids)
    if unknown:
        raise InputError(
            f"{source}: id(s) {', '.join(unknown[:5])} are not records of the "
            f"base {subset.type.value} dimension '{base['name']}'."
        )
    absent = sorted(base_ids - listed)
    if absent:
        raise InputError(
            f"{source}: base {subset.type.value} record(s) {', '.join(absent[:5])} of "
            f"'{base['name']}' are not listed; a subset file lists every base record."
        )
    plan.subsets[subset.name] = {
        "type": subset.type.value,
        "selectors": selectors,
        "description": subset.description,
        "base_id": base["id"],
        "base_version": base["version"],
        "base_name": base["name"],
    }


def subset_supplemental(subset, group, prepared, registry):
    """The supplemental dimension dsgrid makes of a subset group: one record per selector
    (with its column_values), mapped from the base records it selects as explicit
    multipliers of 1; unselected base records map to nothing."""
    version = _base_version(group, prepared, registry)
    if group["base_id"] in prepared:
        base_class = prepared[group["base_id"]].config.get("class")
    else:
        base_class = registry.show("dimension", group["base_id"], version).config.get("class")
    records = [{"id": sel.name, "name": sel.name, **sel.column_values} for sel in subset.selectors]
    mapped: list[dict[str, str]] = []
    selected: set[str] = set()
    for sel in subset.selectors:
        for rid in group["selectors"][sel.name]:
            mapped.append({"from_id": rid, "to_id": sel.name})
            selected.add(rid)
    base_ids = records_of(registry, prepared, group["base_id"], version)
    mapped += [{"from_id": rid, "to_id": ""} for rid in base_ids if rid not in selected]
    mapping = SupplementalMapping(
        mapping_type="many_to_many_explicit_multipliers",
        description=f"Aggregation map for {subset.name}",
        records=mapped,
    )
    config = SupplementalDimensionConfig.model_validate(
        {
            "type": subset.type.value,
            "name": subset.name,
            "description": subset.description,
            "class": base_class,
            "records": records,
            "mapping": mapping,
        }
    )
    return config, mapping


def _base_version(group, prepared, registry) -> str:
    return group["base_version"]


def plan_all_dimension(
    plan, registry, prepared, config_file, type_, add_dimension, add_supplemental
) -> None:
    """dsgrid's "all" supplemental dimension of a type: one record mapping every base record.
    With several base dimensions of the type dsgrid cannot make it (it refuses the project);
    we leave it out and say so."""
    of_type = [b for b in plan.bases if b["type"] == type_]
    if len(of_type) != 1:
        plan.notices.append(
            f"{config_file}: no 'all' {type_} dimension made: the project has "
            f"{len(of_type)} base {type_} dimensions."
        )
        return
    base = of_type[0]
    plural = _plural(type_)
    record_id = f"all_{plural}"
    name = f"all_{plan.config.project_id}_{plural}"
    if any(s["name"] == name for s in plan.supplemental):
        return  # given explicitly (e.g. an update of a project that lists it)
    mapping = SupplementalMapping(
        mapping_type="many_to_one_aggregation",
        description=f"Aggregation map for all {type_}s",
        records=[
            {"from_id": rid, "to_id": record_id}
            for rid in records_of(registry, prepared, base["id"], base["version"])
        ],
    )
    config = SupplementalDimensionConfig.model_validate(
        {
            "type": type_,
            "name": name,
            "description": f"All {plural.title()}",
            "class": "".join(p.capitalize() for p in type_.split("_")) + "DimensionBaseModel",
            "records": [{"id": record_id, "name": f"All {plural.title()}"}],
            "mapping": mapping,
        }
    )
    where = f"dimensions (generated 'all' {type_} dimension)"
    prep = add_dimension(config, where)
    add_supplemental(prep, mapping, base, where)
