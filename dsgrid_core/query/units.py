"""Results in a chosen unit (our addition to dsgrid's query format: ``result.unit``).

Each project metric record carries its unit; the values of a record are multiplied by the
factor from that unit to the one asked for. The factor is folded into every dataset's metric
mapping, so the planner treats it like any other fraction.

``result.unit`` is one unit (``MWh``: every metric must be of its kind) or one unit per kind,
comma-separated (``MWh,MW``: energy metrics in MWh, power metrics in MW). Energy and power
never convert into each other: with a unit per kind the metrics stay apart (a result that
would add a kW to a kWh is refused by the planner, `planner.metric_units`)."""

from __future__ import annotations

from collections import Counter
from dataclasses import replace
from typing import Any

from dsgrid_core.config.dimension import ENERGY_UNITS, POWER_UNITS
from dsgrid_core.errors import InputError

UNITS = (*ENERGY_UNITS, *POWER_UNITS)
KIND_SEPARATOR = ","


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


def target_units(unit: str | None, where: str = "result.unit") -> dict[str, str]:
    """Kind (energy, power) -> the unit asked for it; empty when no unit is asked. Unknown
    units and two units of one kind are refused."""
    targets: dict[str, str] = {}
    for part in (unit or "").split(KIND_SEPARATOR):
        part = part.strip()
        if not part:
            continue
        kind = family(part)
        if kind is None:
            raise InputError(
                f"{where}: '{part}' is not a unit this tool knows; use one of {', '.join(UNITS)}, "
                "or one energy and one power unit separated by a comma (MWh,MW)."
            )
        if kind in targets:
            raise InputError(
                f"{where}: '{unit}' names two {kind} units ({targets[kind]}, {part}); give one "
                "unit per kind (an energy unit, a power unit)."
            )
        targets[kind] = part
    return targets


def one_unit(unit: str | None) -> str | None:
    """The unit every value is in when ``unit`` names one; None for none or one per kind."""
    targets = target_units(unit)
    return next(iter(targets.values())) if len(targets) == 1 else None


def per_kind(energy: str | None, power: str | None) -> str:
    """``result.unit`` converting energy to ``energy`` and power to ``power``."""
    return KIND_SEPARATOR.join(u for u in (energy, power) if u)


def unit_words(unit: str | None) -> str:
    """``unit`` for people: ``MWh``, or ``energy in MWh, power in MW``."""
    targets = target_units(unit)
    if len(targets) < 2:
        return unit or ""
    return ", ".join(f"{kind} in {u}" for kind, u in targets.items())


def unfit_records(records: list[dict], unit: str | None) -> list[dict]:
    """The metric records ``unit`` cannot apply to (of a kind it names no unit for, or in a
    unit this tool does not know)."""
    kinds = target_units(unit)
    if not kinds:
        return []
    return [r for r in records if family(r.get("unit")) not in kinds]


def records_text(records: list[dict], limit: int = 8) -> str:
    """``heating (kWh), fans (kW) and 3 more``."""
    shown = [f"{r['id']} ({r.get('unit') or 'no unit'})" for r in records[:limit]]
    more = f" and {len(records) - limit} more" if len(records) > limit else ""
    return ", ".join(shown) + more


def unit_factors(records: list[dict], target: str, where: str) -> dict[str, float]:
    """Project metric id -> factor converting its values to the unit ``target`` asks for its
    kind; refused, naming the records, when some record is of a kind ``target`` does not
    cover."""
    kinds = target_units(target, where)
    wrong = unfit_records(records, target)
    if wrong:
        named = " or ".join(sorted(kinds))
        raise InputError(
            f"{where}: cannot express every metric in {target} ({named}): {records_text(wrong)} "
            f"{'is' if len(wrong) == 1 else 'are'} not in a{'n' if named[0] == 'e' else ''} "
            f"{named} unit. Give one unit per kind (an energy and a power unit, comma-separated: "
            "MWh,MW), filter those metrics out, or leave the unit unset to keep each record's "
            "own unit."
        )
    return {r["id"]: unit_factor(r["unit"], kinds[family(r["unit"])]) for r in records}


def converted_units(records: list[dict], unit: str | None) -> dict[str, str | None]:
    """Metric id -> the unit its values are in once ``unit`` (result.unit) is applied: the
    unit asked for its kind, else its own."""
    kinds = target_units(unit)
    out = {}
    for r in records:
        own = r.get("unit") or None
        out[r["id"]] = kinds.get(family(own), own) if kinds else own
    return out


def default_per_kind(records: list[dict[str, Any]]) -> str | None:
    """When the metric records mix energy and power units: the most common unit of each kind
    (``MWh,MW``), so each kind is in one unit and the kinds stay apart; None otherwise."""
    by_kind: dict[str, Counter] = {}
    for r in records:
        kind = family(r.get("unit"))
        if kind is not None:
            by_kind.setdefault(kind, Counter())[r["unit"]] += 1
    if set(by_kind) != {"energy", "power"}:
        return None

    def common(counts: Counter) -> str:
        return sorted(counts.items(), key=lambda item: (-item[1], item[0]))[0][0]

    return per_kind(common(by_kind["energy"]), common(by_kind["power"]))


def with_unit(context, target: str | None, where: str = "result.unit"):
    """The context with every dataset's metric values converted to ``target`` (one unit, or
    one per kind)."""
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
