"""Summarize missing dimension combinations as a few minimal patterns.

Why: a dataset that lacks one county is missing every (subsector x metric x hour) row of that
county, easily millions of rows. A list of rows tells a person nothing; "geography 06075 is missing
entirely" tells them what to fix. This module turns a set of missing combinations into patterns
of the form "these dimensions fixed to these records, every record of the other dimensions", so a
failed check can show a screenful of sentences and write the full list to Parquet on request.

All heavy work (deduplication, grouping, coverage) runs inside DuckDB; Python only loops over
subsets of dimensions and receives the final patterns. SQL is built as sqlglot trees with quoted
identifiers, because dimension names come from user configs.

Guarantees of `find_minimal_patterns` (the property tests check each one):

1. Exact cover: the union of the rows of all patterns is exactly the missing set.
2. Validity: every combination a pattern describes is missing.
3. Maximality: no pattern stays valid when one of its fixed dimensions is freed, and no pattern
   fixes a dimension that has a single record (that would add nothing).
4. No pattern is redundant given the patterns with fewer fixed dimensions: each covers at least
   one missing combination that none of them covers.

It does not promise the smallest possible number of patterns (that is set cover, NP-hard): a
pattern may overlap later ones with as many fixed dimensions. When the holes are scattered, the
cover has about one pattern per missing row, so the pattern list grows with the missing set.
"""

from __future__ import annotations

import itertools
import json
import math
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from sqlglot import exp

if TYPE_CHECKING:
    import duckdb
    import pyarrow as pa

COUNT_COLUMN = "count"
_TIME_NAMES = frozenset({"time", "timestamp", "hour"})
_ARROW_METADATA_KEY = b"dsgrid.universe_sizes"


@dataclass(frozen=True, slots=True)
class Pattern:
    """Every combination with the `fixed` records is missing, for all records of `free`."""

    fixed: dict[str, str]
    free: dict[str, int]
    count: int

    def __hash__(self) -> int:  # dict fields are not hashable; patterns are used in sets
        return hash((tuple(self.fixed.items()), tuple(self.free.items()), self.count))

    def describe(self, labels: dict[str, str] | None = None) -> str:
        """One sentence, e.g. "subsector com__Hospital is missing for geography 06073 at all
        168 hours". Free dimensions with a single record are left out: "all 1 metrics" only
        adds noise."""
        free = [(name, size) for name, size in self.free.items() if size > 1]
        extent = " x ".join(f"{size:,} {_plural(name, labels)}" for name, size in free)
        fixed = [f"{_words(name)} {value}" for name, value in self.fixed.items()]
        if not fixed:
            return (
                f"every combination is missing (all {extent})"
                if extent
                else "the only combination is missing"
            )
        if len(fixed) == 1:
            suffix = f" (all {extent})" if extent else ""
            return f"{fixed[0]} is missing entirely{suffix}"
        subject, others = fixed[-1], fixed[:-1]
        sentence = f"{subject} is missing for {_join_words(others)}"
        if not extent:
            return sentence
        only_time = all(name.lower() in _TIME_NAMES for name, _ in free)
        return f"{sentence} {'at' if only_time else 'across'} all {extent}"


@dataclass
class PatternSummary:
    """Missing combinations explained as patterns, most significant (largest) first.

    `universe_sizes` (dimension -> number of expected records) keeps the dimension order and
    lets `to_arrow` write the right columns even when there are no patterns.
    """

    total_missing: int
    patterns: list[Pattern]
    universe_sizes: dict[str, int] = field(default_factory=dict)

    @property
    def dimensions(self) -> list[str]:
        if self.universe_sizes:
            return list(self.universe_sizes)
        if self.patterns:
            first = self.patterns[0]
            return [*first.fixed, *first.free]
        return []

    def lines(self, max_lines: int = 20, labels: dict[str, str] | None = None) -> list[str]:
        """At most `max_lines` sentences, so the message fits on a screen; when patterns are
        left out, the last line says how many and how many combinations they cover (the sum of
        their counts: patterns may overlap, and counting the union would need the rows)."""
        if max_lines < 1:
            raise ValueError(f"max_lines must be at least 1, got {max_lines}")
        if len(self.patterns) <= max_lines:
            return [p.describe(labels) for p in self.patterns]
        shown, rest = self.patterns[: max_lines - 1], self.patterns[max_lines - 1 :]
        rest_count = sum(p.count for p in rest)
        more = f"... and {len(rest):,} more {'pattern' if len(rest) == 1 else 'patterns'}"
        covering = f"covering {rest_count:,} {'combination' if rest_count == 1 else 'combinations'}"
        return [*(p.describe(labels) for p in shown), f"{more} {covering}"]

    def to_arrow(self) -> pa.Table:
        """One row per pattern: a string column per dimension (NULL means "all records of this
        dimension") and `count`. The universe sizes travel in the schema metadata so the file
        alone says what "all" means."""
        import pyarrow as pa  # late: pyarrow

        dims = self.dimensions
        columns = {
            dim: pa.array([p.fixed.get(dim) for p in self.patterns], pa.string()) for dim in dims
        }
        columns[COUNT_COLUMN] = pa.array([p.count for p in self.patterns], pa.int64())
        metadata = {_ARROW_METADATA_KEY: json.dumps(self.universe_sizes).encode()}
        return pa.table(columns).replace_schema_metadata(metadata)

    def to_parquet(self, path: str | Path) -> None:
        import pyarrow.parquet as pq  # late: pyarrow

        pq.write_table(self.to_arrow(), Path(path))


def find_minimal_patterns(
    con: duckdb.DuckDBPyConnection,
    missing_relation_sql: str | duckdb.DuckDBPyRelation,
    universe_sizes: dict[str, int],
) -> PatternSummary:
    """Cover the missing combinations with maximal patterns (see the module docstring).

    `missing_relation_sql` is a query, or a relation made from `con`, with exactly one column
    per key of `universe_sizes` and one row per missing combination; every value must be one of
    the dimension's expected records (the sizes say how many there are, not which). Duplicate
    rows are dropped. Only temporary tables are created, and they are dropped before returning.

    Subsets of dimensions are tried by size, then by how large their patterns are (fewest
    fixed records first), then in the order the dimensions were given. A group of the still
    uncovered rows becomes a pattern when the full missing set holds every combination of it.
    """
    dims = _check_universe(universe_sizes)
    rel = (
        con.sql(missing_relation_sql)
        if isinstance(missing_relation_sql, str)
        else missing_relation_sql
    )
    if rel is None or sorted(rel.columns) != sorted(dims):
        found = "no columns" if rel is None else ", ".join(rel.columns)
        raise ValueError(
            f"the missing-combinations relation must have exactly one column per dimension "
            f"({', '.join(dims)}); it has {found}"
        )
    tables = _TempTables(con)
    try:
        missing, source = tables.new("missing"), tables.name("source")
        # The relation may be lazy; `query` exposes it under a name only for this statement.
        rel.query(source.name, _create_temp(missing, _distinct_varchar(dims, source)))
        total = _check_values(con, missing, universe_sizes)
        patterns = _cover(con, tables, missing, universe_sizes, total)
    finally:
        tables.drop_all()
    return PatternSummary(
        total_missing=total, patterns=patterns, universe_sizes=dict(universe_sizes)
    )


def _cover(
    con: duckdb.DuckDBPyConnection,
    tables: _TempTables,
    missing: exp.Table,
    sizes: dict[str, int],
    total: int,
) -> list[Pattern]:
    """The level-by-level search; returns patterns sorted by count, then values."""
    dims = list(sizes)
    if total == 0:
        return []
    if total == math.prod(sizes.values()):
        return [Pattern(fixed={}, free=dict(sizes), count=total)]

    found = tables.new("found")
    # `count` cannot clash with a dimension: _check_universe refuses that name.
    columns = [_column_def(d, "VARCHAR") for d in dims] + [_column_def(COUNT_COLUMN, "BIGINT")]
    con.execute(_create_temp(exp.Schema(this=found, expressions=columns)))
    uncovered, remaining = missing, total  # shrinks (as a new table) whenever patterns are found

    # Fixing a dimension with one record never narrows a pattern, so such dimensions stay free.
    active = [d for d in dims if sizes[d] > 1]
    for r in range(1, len(active)):
        subsets = sorted(
            itertools.combinations(range(len(active)), r),
            key=lambda idx: (math.prod(sizes[active[i]] for i in idx), idx),
        )
        for idx in subsets:
            subset = [active[i] for i in idx]
            per_pattern = math.prod(sizes[d] for d in dims if d not in subset)
            if per_pattern > total:
                continue  # no group of the missing set can be that large
            batch = tables.new("batch")
            # Until something is covered, every group holds an uncovered row: skip the filter.
            keys_from = uncovered if remaining < total else None
            con.execute(_create_temp(batch, _candidates(missing, keys_from, subset, per_pattern)))
            if _count(con, batch) == 0:
                tables.drop(batch)
                continue
            cols = [_ident(d) for d in subset]
            select = exp.select(*cols, _ident(COUNT_COLUMN)).from_(batch)
            con.execute(
                exp.insert(select, found, columns=[*cols, _ident(COUNT_COLUMN)]).sql("duckdb")
            )
            left = tables.new("uncovered")
            con.execute(
                _create_temp(
                    left, exp.select("*").from_(uncovered).join(batch, using=cols, join_type="anti")
                )
            )
            if uncovered is not missing:
                tables.drop(uncovered)
            tables.drop(batch)
            uncovered = left
            remaining = _count(con, uncovered)
            if remaining == 0:
                break
        if remaining == 0:
            break
    if remaining:  # each leftover row is its own pattern, fixing every active dimension
        cols = [_ident(d) for d in active]
        select = exp.select(*cols, exp.Literal.number(1)).from_(uncovered)
        con.execute(exp.insert(select, found, columns=[*cols, _ident(COUNT_COLUMN)]).sql("duckdb"))
    order = [exp.Ordered(this=_ident(COUNT_COLUMN), desc=True)]
    order += [exp.Ordered(this=_ident(d), nulls_first=True) for d in dims]
    table = _arrow(con.sql(exp.select("*").from_(found).order_by(*order).sql("duckdb")))
    return _patterns_from_arrow(table, sizes)


def _candidates(
    missing: exp.Table, uncovered: exp.Table | None, subset: list[str], per_pattern: int
) -> exp.Select:
    """Groups of `subset` values that hold an uncovered row and are missing at every record of
    the other dimensions. Counting over the full missing set (not just uncovered rows) is what
    makes a pattern valid; restricting to keys of uncovered rows skips groups already explained."""
    cols = [_ident(d) for d in subset]
    n = exp.func("count", exp.Star())
    select = exp.select(*cols, n.as_(_ident(COUNT_COLUMN))).from_(missing)
    if uncovered is not None:
        keys = exp.select(*cols).distinct().from_(uncovered).subquery("k")
        select = select.join(keys, using=cols, join_type="semi")
    return select.group_by(*cols).having(n.copy().eq(exp.Literal.number(per_pattern)))


def _patterns_from_arrow(table: pa.Table, sizes: dict[str, int]) -> list[Pattern]:
    dims = list(sizes)
    values = [table.column(d).to_pylist() for d in dims]
    counts = table.column(COUNT_COLUMN).to_pylist()
    free_dicts: dict[tuple[str, ...], dict[str, int]] = {}  # shared: one per subset, not per row
    patterns = []
    for i, count in enumerate(counts):
        fixed = {d: col[i] for d, col in zip(dims, values, strict=True) if col[i] is not None}
        free_key = tuple(d for d in dims if d not in fixed)
        free = free_dicts.setdefault(free_key, {d: sizes[d] for d in free_key})
        patterns.append(Pattern(fixed=fixed, free=free, count=count))
    return patterns


def _check_universe(universe_sizes: dict[str, int]) -> list[str]:
    if not universe_sizes:
        raise ValueError("at least one dimension is needed to describe missing combinations")
    for name, size in universe_sizes.items():
        if name == COUNT_COLUMN:
            raise ValueError(
                f"a dimension cannot be named {COUNT_COLUMN!r}: the pattern table uses it"
            )
        if isinstance(size, bool) or not isinstance(size, int) or size < 1:
            raise ValueError(
                f"dimension {name!r} must have a positive number of records, got {size!r}"
            )
    return list(universe_sizes)


def _check_values(con: duckdb.DuckDBPyConnection, missing: exp.Table, sizes: dict[str, int]) -> int:
    """Refuse inputs the counting argument cannot handle: NULL records, or more distinct
    records than the dimension has (the sizes would then be wrong and patterns invalid)."""
    dims = list(sizes)
    selects = [exp.func("count", exp.Star())]
    for d in dims:
        selects += [
            exp.func("count", _ident(d)),
            exp.Count(this=exp.Distinct(expressions=[_ident(d)])),
        ]
    row = con.execute(exp.select(*selects).from_(missing).sql("duckdb")).fetchall()[0]
    total = row[0]
    for i, d in enumerate(dims):
        non_null, distinct = row[1 + 2 * i], row[2 + 2 * i]
        if non_null != total:
            raise ValueError(f"{total - non_null:,} missing combinations have no {d} record (NULL)")
        if distinct > sizes[d]:
            raise ValueError(
                f"the missing combinations name {distinct:,} distinct {d} records, "
                f"but the dimension has only {sizes[d]:,}"
            )
    return total


class _TempTables:
    """Temporary tables of one search, with unique names, all dropped at the end."""

    def __init__(self, con: duckdb.DuckDBPyConnection) -> None:
        self._con = con
        self._prefix = f"__dsgrid_patterns_{uuid.uuid4().hex}"
        self._serial = 0
        self._live: dict[str, exp.Table] = {}

    def name(self, role: str) -> exp.Table:
        """A fresh name that is not tracked (for views that vanish on their own)."""
        self._serial += 1
        return exp.to_table(f"{self._prefix}_{role}_{self._serial}", quoted=True)

    def new(self, role: str) -> exp.Table:
        table = self.name(role)
        self._live[table.name] = table
        return table

    def drop(self, table: exp.Table) -> None:
        self._con.execute(exp.Drop(tables=[table.copy()], kind="TABLE", exists=True).sql("duckdb"))
        self._live.pop(table.name, None)

    def drop_all(self) -> None:
        for table in list(self._live.values()):
            self.drop(table)


def _ident(name: str) -> exp.Identifier:
    return exp.to_identifier(name, quoted=True)


def _column_def(name: str, type_: str) -> exp.ColumnDef:
    return exp.ColumnDef(this=_ident(name), kind=exp.DataType.build(type_))


def _create_temp(table: exp.Table | exp.Schema, select: exp.Select | None = None) -> str:
    """CREATE TEMPORARY TABLE, so nothing lands in the caller's database file."""
    create = exp.Create(
        this=table,
        kind="TABLE",
        expression=select,
        properties=exp.Properties(expressions=[exp.TemporaryProperty()]),
    )
    return create.sql("duckdb")


def _distinct_varchar(dims: list[str], source: exp.Table) -> exp.Select:
    cols = [exp.cast(_ident(d), "VARCHAR").as_(_ident(d)) for d in dims]
    return exp.select(*cols).distinct().from_(source)


def _count(con: duckdb.DuckDBPyConnection, table: exp.Table) -> int:
    # fetchall, not fetchone: duckdb 2 refuses further work while a result is not drained.
    return con.execute(
        exp.select(exp.func("count", exp.Star())).from_(table).sql("duckdb")
    ).fetchall()[0][0]


def _arrow(rel: duckdb.DuckDBPyRelation) -> pa.Table:
    # duckdb 1.4 renamed fetch_arrow_table to to_arrow_table; older releases only have arrow().
    return rel.to_arrow_table() if hasattr(rel, "to_arrow_table") else rel.arrow()


def _words(name: str) -> str:
    return name.replace("_", " ")


def _plural(name: str, labels: dict[str, str] | None) -> str:
    """The noun for "all N ...": the caller's label, "hours" for time, else a plain plural."""
    if labels and name in labels:
        return labels[name]
    if name.lower() in _TIME_NAMES:
        return "hours"
    words = _words(name)
    if words.endswith("s"):
        return f"{words} records"
    if words.endswith("y") and words[-2:-1] not in ("a", "e", "i", "o", "u"):
        return f"{words[:-1]}ies"
    return f"{words}s"


def _join_words(parts: list[str]) -> str:
    return parts[0] if len(parts) == 1 else f"{', '.join(parts[:-1])} and {parts[-1]}"
