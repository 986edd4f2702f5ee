"""The query builder's unit control: the units it offers (energy, power, and one unit per
kind when a project's metrics mix them), the unit it starts with, and the note under it that
says which unit the values are in, or why a unit cannot apply (naming the metrics). Energy and
power never convert into each other: a kW is never added to a kWh."""

from __future__ import annotations

from dash import html

from dsgrid_core.config.dimension import ENERGY_UNITS, POWER_UNITS
from dsgrid_core.errors import InputError
from dsgrid_core.query.units import (
    UNITS,
    default_per_kind,
    family,
    per_kind,
    records_text,
    target_units,
    unfit_records,
    unit_words,
)

PAIRS = (("kWh", "kW"), ("MWh", "MW"), ("GWh", "GW"))  # one unit per kind, offered as such


def unit_options(chosen: str | None = None, metric_records: list[dict] | None = None) -> list[dict]:
    """The units in labelled groups (energy, power): a group's heading is not a choice. When the
    project's metrics mix energy and power, a third group: one unit per kind (its default
    first)."""

    def group(title: str, options) -> list[dict]:
        heading = {"label": title, "value": f"__{title}", "disabled": True}
        return [heading, *options]

    def plain(units) -> list[dict]:
        return [{"label": u, "value": u} for u in units]

    options = [
        *group("Energy units", plain(ENERGY_UNITS)),
        *group("Power units", plain(POWER_UNITS)),
    ]
    default = default_per_kind(metric_records or [])
    pairs = [per_kind(e, p) for e, p in PAIRS]
    if default or _per_kind(chosen):
        shown = list(dict.fromkeys(u for u in (default, chosen, *pairs) if _per_kind(u)))
        kinds = [{"label": unit_words(u), "value": u} for u in shown]
        options += group("One unit per kind (energy, power)", kinds)
    if chosen and chosen not in UNITS and not _per_kind(chosen):
        options.append({"label": f"{chosen} (not a unit this tool knows)", "value": chosen})
    return options


def _per_kind(unit: str | None) -> bool:
    try:
        return len(target_units(unit)) > 1
    except InputError:
        return False


def default_unit(metric_records: list[dict]) -> str | None:
    """The unit the builder starts with: the most common unit of the project's metrics when
    they are all of one kind (energy, or power); one unit per kind (the most common of each:
    ``MWh,MW``) when they mix energy and power; None when some name no unit this tool knows
    (each record keeps its own)."""
    units = [r.get("unit") for r in metric_records]
    kinds = {family(u) for u in units}
    if not units or None in kinds:
        return None
    if len(kinds) > 1:
        return default_per_kind(metric_records)
    counts = {u: units.count(u) for u in set(units)}
    return sorted(counts.items(), key=lambda item: (-item[1], item[0]))[0][0]


def mixes_kinds(metric_records: list[dict]) -> bool:
    """The project's metrics are in energy and in power units."""
    return {family(r.get("unit")) for r in metric_records} >= {"energy", "power"}


def unit_note(unit: str | None, metric_records: list[dict]):
    """Which unit the values are in, and why (said under the unit control); a unit that cannot
    apply to every metric is refused here, naming the metrics (a Run is refused too)."""
    default = default_unit(metric_records)
    kinds = sorted({family(r.get("unit")) or "other" for r in metric_records})
    try:
        unfit = unfit_records(metric_records, unit)
    except InputError as exc:
        return html.Span(str(exc).removeprefix("result.unit: "), className="text-danger")
    if unfit:
        return html.Span(
            f"{unit} cannot apply to every metric: {records_text(unfit)} cannot be converted "
            f"to it. Choose one unit per kind ({unit_words(default_per_kind(metric_records))}) "
            "or filter those metrics out.",
            className="text-danger",
            role="alert",
        )
    why = " (the default)" if unit and unit == default else ""
    if _per_kind(unit):
        return (
            f"Each kind converted to its own unit{why}: {unit_words(unit)}. Energy and power "
            "are never added: keep metric grouped by (one series each)."
        )
    if unit:
        kind = family(unit) or "its"
        why = " (the project's most common unit: the default)" if unit == default else ""
        return f"Every value converted to {unit}{why}; only {kind} units convert to it."
    if len(kinds) > 1:
        return (
            f"The end uses mix {' and '.join(kinds)} units: each keeps its own; group by metric "
            "to keep them apart."
        )
    return (
        "Each record's own unit: end uses in different units are never added (summed over "
        "end uses, values are converted to the most common unit)."
    )
