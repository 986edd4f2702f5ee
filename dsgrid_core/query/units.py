"""Results in a chosen unit (our addition to dsgrid's query format: ``result.unit``).

Each project metric record carries its unit; the values of a record are multiplied by the
factor from that unit to the one asked for. The factor is folded into every dataset's metric
mapping, so the planner treats it like any other fraction."""

from __future__ import annotations

from dataclasses import replace

from dsgrid_core.config.dimension import ENERGY_UNITS, POWER_UNITS
from dsgrid_core.errors import InputError

UNITS = (*ENERGY_UNITS, *POWER_UNITS)


def family(unit: str | None) -> str | None:
    if unit in ENERGY_UNITS:
        return "energy"
    if unit in POWER_UNITS:
        return "power"
    return None


def unit_factor(source: str, target: str) -> float:
    """The factor turning values in ``source`` into ``target`` (both of one family)."""
    table = ENERGY_UNITS if family(source) == "energy" else POWER_UNITS
    return table[source] / table[target]


def unit_factors(records: list[dict], target: str, where: str) -> dict[str, float]:
    """Project metric id -> factor converting its values to ``target``."""
    wanted = family(target)
    if wanted is None:
        raise InputError(
            f"{where}: '{target}' is not a unit this tool knows; use one of {', '.join(UNITS)}."
        )
    table = ENERGY_UNITS if wanted == "energy" else POWER_UNITS
    factors, wrong = {}, []
    for record in records:
        unit = record.get("unit")
        if family(unit) != wanted:
            wrong.append(f"{record['id']} ({unit or 'no unit'})")
            continue
        factors[record["id"]] = table[unit] / table[target]
    if wrong:
        shown = ", ".join(wrong[:8]) + (f" and {len(wrong) - 8} more" if len(wrong) > 8 else "")
        raise InputError(
            f"{where}: cannot express every metric in {target} ({wanted}): {shown} "
            f"{'is' if len(wrong) == 1 else 'are'} not in a {wanted} unit. Filter those metrics "
            "out, or leave the unit unset to keep each record's own unit."
        )
    return factors


def with_unit(context, target: str | None, where: str = "result.unit"):
    """The context with every dataset's metric values converted to ``target``."""
    if not target:
        return context
    factors = unit_factors(context.base["metric"].records, target, where)
    datasets = []
    for ds in context.datasets:
        paths = ds.mappings.get("metric")
        if paths is None:
            paths = [(i, i, 1.0) for i in ds.record_ids.get("metric", [])]
        scaled = [(f, to, x * factors[to]) for f, to, x in paths if to in factors]
        datasets.append(replace(ds, mappings={**ds.mappings, "metric": scaled}))
    return replace(context, datasets=datasets)
