"""Small builders for sqlglot trees: quoted identifiers, aliased subqueries, id lists, and the
in-memory tables (mappings, names, time buckets) that a plan hands to the engine as rows."""

from __future__ import annotations

from dataclasses import dataclass

from sqlglot import exp

VALUE = "value"
TIME = "timestamp"


def col(name: str, table: str | None = None) -> exp.Column:
    return exp.column(name, table=table, quoted=True)


def table(name: str, alias: str | None = None) -> exp.Table:
    # Built node by node: sqlglot's string helpers would start its parser for every name.
    t = exp.Table(this=exp.to_identifier(name, quoted=True))
    if alias:
        t.set("alias", exp.TableAlias(this=exp.to_identifier(alias, quoted=True)))
    return t


def data_type(name: str) -> exp.DataType:
    """A SQL type without parsing: "double", "timestamp"."""
    return exp.DataType(this=exp.DataType.Type[name.upper()])


def alias(expr: exp.Expression, name: str) -> exp.Alias:
    return exp.alias_(expr, name, quoted=True)


def subquery(select: exp.Expression, name: str) -> exp.Subquery:
    return exp.Subquery(
        this=select, alias=exp.TableAlias(this=exp.to_identifier(name, quoted=True))
    )


def in_ids(expr: exp.Expression, ids) -> exp.Expression:
    ids = list(ids)
    if not ids:
        return exp.false()
    return exp.In(this=expr, expressions=[exp.Literal.string(i) for i in ids])


def times(value: exp.Expression, factor: exp.Expression | float) -> exp.Expression:
    if isinstance(factor, float | int):
        if factor == 1:
            return value
        factor = exp.Literal.number(repr(float(factor)))
    return exp.Mul(this=value, expression=factor)


@dataclass
class Rows:
    """A small table given to the engine as Python rows (mappings, names, time buckets).

    Column types: "string", "double", "instant" (an aware UTC timestamp) or "wallclock" (a
    naive local timestamp)."""

    columns: list[tuple[str, str]]
    rows: list[tuple]


MAPPING_COLUMNS = [("from_id", "string"), ("to_id", "string"), ("fraction", "double")]
FACTOR_COLUMNS = [("from_id", "string"), ("factor", "double")]


def mapping_rows(rows) -> Rows:
    return Rows(MAPPING_COLUMNS, [(str(f), str(t), float(x)) for f, t, x in rows])


def factor_rows(factors: dict[str, float]) -> Rows:
    return Rows(FACTOR_COLUMNS, [(str(k), float(v)) for k, v in factors.items()])


def names_rows(dimension) -> Rows:
    return Rows(
        [("id", "string"), ("name", "string")],
        [(r["id"], str(r.get("name") or r["id"])) for r in dimension.records],
    )
