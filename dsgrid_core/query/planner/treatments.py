"""How each dimension of one dataset enters a summed result, worked out in Python.

Summing is linear, so every mapping a dimension goes through (dataset -> project base, with
unit factors; base -> supplemental; a filter on base ids) composes into one small table before
any data is read:

* a dimension the result keeps becomes a table ``dataset id -> output id, fraction`` (or the
  raw column itself, when that table is the identity);
* a dimension the result sums over becomes ``dataset id -> factor`` (the summed fractions of
  the paths that survive the filters), or a constant, or only a filter.

Nothing here is approximate: the sum of value x fraction over every mapping path equals the
sum of value x composed fraction. Means, minima, maxima and counts depend on how many rows
the mappings make, so those results are planned row by row instead (``row_plan``).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from dsgrid_core.query.context_types import SourceDataset, SupplementalInfo


@dataclass
class Treatment:
    """What the plan does with one dimension column of one dataset.

    kind: "keep" (the raw column, possibly filtered), "map" (join ``rows`` and take to_id),
    "factor" (join ``factors``), "scale" (multiply by ``constant``, possibly filtered) or
    "none" (nothing survives the filters)."""

    type: str
    kind: str
    keep_ids: set[str] | None = None  # filter on the raw column; None = no filter
    rows: list[tuple[str, str, float]] = field(default_factory=list)
    factors: dict[str, float] = field(default_factory=dict)
    constant: float = 1.0
    cardinality: int = 0  # distinct raw ids a kept column can hold (pre-aggregation estimate)


def _dataset_paths(ds: SourceDataset, t: str) -> list[tuple[str, str, float]]:
    """dataset id -> project base id, fraction (unit factors included for metrics)."""
    if t in ds.mappings:
        return list(ds.mappings[t])
    return [(i, i, 1.0) for i in ds.record_ids.get(t, [])]


def _filtered(paths, selected: set[str] | None):
    return [p for p in paths if selected is None or p[1] in selected]


def compose(
    paths: list[tuple[str, str, float]], supplemental: SupplementalInfo | None
) -> dict[tuple[str, str], float]:
    """(dataset id, output id) -> summed fraction, through an optional base -> supplemental
    mapping (rows with an empty to_id are dropped, as dsgrid does)."""
    out: dict[tuple[str, str], float] = defaultdict(float)
    if supplemental is None:
        for f, b, x in paths:
            out[(f, b)] += x
        return dict(out)
    onward: dict[str, list[tuple[str, float]]] = defaultdict(list)
    for b, s, g in supplemental.mapping:
        if s is not None:
            onward[b].append((s, g))
    for f, b, x in paths:
        for s, g in onward.get(b, []):
            out[(f, s)] += x * g
    return dict(out)


def kept_dimension(
    ds: SourceDataset, t: str, selected: set[str] | None, supplemental: SupplementalInfo | None
) -> Treatment:
    composed = compose(_filtered(_dataset_paths(ds, t), selected), supplemental)
    if not composed:
        return Treatment(t, "none")
    sources = {f for f, _ in composed}
    known = set(ds.record_ids.get(t, []))
    identity = known and all(f == o and x == 1.0 for (f, o), x in composed.items())
    if identity:
        keep = None if sources >= known else sources
        return Treatment(t, "keep", keep_ids=keep, cardinality=len(sources))
    rows = [(f, o, x) for (f, o), x in sorted(composed.items())]
    return Treatment(t, "map", rows=rows, cardinality=len(sources))


def summed_dimension(ds: SourceDataset, t: str, selected: set[str] | None) -> Treatment:
    factors: dict[str, float] = defaultdict(float)
    for f, _, x in _filtered(_dataset_paths(ds, t), selected):
        factors[f] += x
    if not factors:
        return Treatment(t, "none")
    known = set(ds.record_ids.get(t, []))
    values = set(factors.values())
    if known and len(values) == 1:
        keep = None if set(factors) >= known else set(factors)
        return Treatment(t, "scale", keep_ids=keep, constant=values.pop())
    return Treatment(t, "factor", factors=dict(factors))


def treatments(
    ds: SourceDataset,
    kept: dict[str, SupplementalInfo | None],
    selected: dict[str, set[str]],
    types: tuple[str, ...],
) -> list[Treatment]:
    """One treatment per dimension type; ``kept`` maps the types the result keeps to their
    supplemental mapping (None for base), ``selected`` the base ids allowed per type."""
    out = []
    for t in types:
        if t in kept:
            out.append(kept_dimension(ds, t, selected.get(t), kept[t]))
        else:
            out.append(summed_dimension(ds, t, selected.get(t)))
    return out
