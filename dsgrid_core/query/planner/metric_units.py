"""Units when a result's metric column is not the project's base metric records.

* A supplemental metric dimension (end uses grouped by fuel, say) has a unit per record, as
  the base records do. dsgrid converts the grouped values into each supplemental record's
  unit, but after summing (so a group of kWh and MWh records is summed first). Here each base
  record's values are converted into its group's unit before they are summed: the factor is
  folded into the base -> supplemental mapping. Units of different kinds (energy and power)
  in one group, or a group without a unit whose records' units differ, are refused.
* An aggregation that keeps no metric column adds every metric together. dsgrid refuses it
  ("a metric dimension is not included"); here it is answered when every metric record that
  reaches the result has one unit (or ``result.unit`` converts them all), and refused with the
  units named otherwise. A ``result.unit`` of one unit per kind (``MWh,MW``) is checked like no
  unit, each record in its kind's unit: energy and power are never added.
"""

from __future__ import annotations

from dataclasses import replace

from dsgrid_core.errors import InputError
from dsgrid_core.query.context_types import ProjectContext
from dsgrid_core.query.planner.outputs import OutputColumn, Shape
from dsgrid_core.query.units import converted_units, family, one_unit, unit_factor


def _units(records: list[dict]) -> dict[str, str | None]:
    return {r["id"]: r.get("unit") or None for r in records}


def _converted_group(column: OutputColumn, base_units: dict[str, str | None]) -> OutputColumn:
    supp = column.supplemental
    target = _units(supp.dimension.records)
    rows, mixed = [], {}
    for base_id, to_id, fraction in supp.mapping:
        if to_id is None:
            rows.append((base_id, to_id, fraction))
            continue
        source, wanted = base_units.get(base_id), target.get(to_id)
        if wanted is None or source is None or source == wanted:
            mixed.setdefault(to_id, set()).add(source)
            rows.append((base_id, to_id, fraction))
            continue
        if family(source) is None or family(source) != family(wanted):
            raise InputError(
                f"result.aggregations: metric '{supp.dimension.name}' groups record "
                f"'{base_id}' ({source}) into '{to_id}' ({wanted}): {source} cannot be "
                f"converted to {wanted}. Group by the base metric, or set result.unit."
            )
        rows.append((base_id, to_id, fraction * unit_factor(source, wanted)))
    for to_id, units in mixed.items():
        if target.get(to_id) is None and len(units) > 1:
            shown = ", ".join(sorted(u or "no unit" for u in units))
            raise InputError(
                f"result.aggregations: metric '{supp.dimension.name}' record '{to_id}' has no "
                f"unit and groups records in {shown}, which cannot be added. Set result.unit, "
                "or group by the base metric."
            )
    return replace(column, supplemental=replace(supp, mapping=rows))


def _reaching(context: ProjectContext) -> set[str]:
    """Base metric ids that some dataset of the query maps to."""
    found: set[str] = set()
    for ds in context.datasets:
        paths = ds.mappings.get("metric")
        if paths is None:
            found |= set(ds.record_ids.get("metric", []))
        else:
            found |= {to for _, to, x in paths if to is not None}
    return found


def with_metric_units(
    context: ProjectContext, shape: Shape, unit: str | None, aggregated: bool
) -> Shape:
    """``shape`` with its supplemental metric column converting units, or refused when the
    result would add values in different units. (A count counts rows, whatever their unit.)"""
    if one_unit(unit) or shape.function == "count":
        return shape  # every value is already in ``unit`` (query.units.with_unit)
    # none, or one unit per kind: each record in its own unit, or in its kind's
    base_units = converted_units(context.base["metric"].records, unit)
    metric = shape.dimensions.get("metric")
    if metric is not None:
        if metric.supplemental is None:
            return shape
        converted = _converted_group(metric, base_units)
        return replace(shape, columns=[converted if c is metric else c for c in shape.columns])
    if not aggregated:
        return shape
    units = {base_units.get(i) for i in _reaching(context)}
    if len(units) > 1:
        shown = ", ".join(sorted(u or "no unit" for u in units))
        raise InputError(
            "result.aggregations: the aggregation keeps no metric column, so it would add "
            f"values in {shown}. Keep a metric dimension in the aggregation (dsgrid requires "
            "one), or set result.unit to convert every value to one unit."
        )
    return shape
