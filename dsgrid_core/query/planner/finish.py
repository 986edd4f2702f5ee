"""The last steps of a result: ids replaced with names, pivoting, sorting and paging, reports."""

from __future__ import annotations

from sqlglot import exp

from dsgrid_core.config.query import QueryResultParams
from dsgrid_core.errors import InputError
from dsgrid_core.query.planner.outputs import OutputColumn
from dsgrid_core.query.planner.sqltree import (
    VALUE,
    alias,
    col,
    data_type,
    names_rows,
    subquery,
    table,
)


def with_names(current: exp.Select, outputs: list[OutputColumn], tables: dict) -> exp.Select:
    """Each dimension column's ids replaced by the records' names (ids where a name is empty)."""
    named = exp.select().from_(subquery(current, "a"))
    cols = []
    for i, o in enumerate(outputs):
        if o.type in ("time", "value") or o.dimension is None:
            cols.append(alias(col(o.name, "a"), o.name))
            continue
        # table names from the position: column names are dimension names, spaces and all
        n, tname = f"n_{i}", f"names_{i}_{o.type}"
        tables[tname] = ("rows", names_rows(o.dimension))
        named = named.join(
            table(tname, n),
            on=exp.EQ(this=col(o.name, "a"), expression=col("id", n)),
            join_type="left",
        )
        cols.append(
            alias(exp.Coalesce(this=col("name", n), expressions=[col(o.name, "a")]), o.name)
        )
    return named.select(*cols)


def pivoted(
    current: exp.Select, outputs: list[OutputColumn], result: QueryResultParams
) -> tuple[exp.Select, list[OutputColumn]]:
    """One value column per record of the pivoted dimension (CASE WHEN: portable)."""
    fmt = result.table_format
    pivot_type = fmt.pivoted_dimension_type.value if fmt.pivoted_dimension_type else "metric"
    pivot = next((o for o in outputs if o.type == pivot_type), None)
    if pivot is None:
        raise InputError(
            f"result.table_format: cannot pivot on {pivot_type}: it is not "
            "an output column of the query."
        )
    keys = [o for o in outputs if o.type != "value" and o is not pivot]
    ids = (
        pivot.dimension.ids
        if not result.replace_ids_with_names
        else [str(r.get("name") or r["id"]) for r in pivot.dimension.records]
    )
    cols = [alias(col(o.name, "p"), o.name) for o in keys]
    for rid in ids:
        case = exp.Case(
            ifs=[
                exp.If(
                    this=exp.EQ(this=col(pivot.name, "p"), expression=exp.Literal.string(rid)),
                    true=col(VALUE, "p"),
                )
            ]
        )
        cols.append(alias(exp.Sum(this=case), rid))
    select = exp.select(*cols).from_(subquery(current, "p"))
    if keys:
        select = select.group_by(*[col(o.name, "p") for o in keys])
    return select, keys + [OutputColumn(rid, "value") for rid in ids]


def ordered_page(
    current: exp.Select, outputs: list[OutputColumn], result: QueryResultParams
) -> exp.Select:
    """Value columns as doubles; sort_columns (``-name`` descending); limit and offset. A page
    without a sort gets a stable order over the key columns."""
    names = [o.name for o in outputs]
    order = []
    for name in result.sort_columns:
        descending = name.startswith("-")
        bare = name.lstrip("-")
        if bare not in names:
            raise InputError(
                f"result.sort_columns: '{bare}' is not an output column; columns "
                f"are {', '.join(names)}."
            )
        order.append(exp.Ordered(this=col(bare), desc=descending))
    kinds = {o.name: o.type for o in outputs}
    final = [
        alias(exp.cast(col(n), data_type("double")), n) if kinds[n] == "value" else col(n)
        for n in names
    ]
    wrapped = exp.select(*final).from_(subquery(current, "r"))
    if not order and (result.limit is not None or result.offset):
        order = [exp.Ordered(this=col(n)) for n in names if n != VALUE][:8] or [
            exp.Ordered(this=col(VALUE))
        ]
    if order:
        wrapped = wrapped.order_by(*order)
    if result.limit is not None:
        wrapped = wrapped.limit(result.limit)
    if result.offset:
        wrapped = wrapped.offset(result.offset)
    return wrapped


def peak_load(
    result: exp.Select, outputs: list[OutputColumn], group_by: list[str] | None = None
) -> exp.Select:
    """dsgrid's peak_load report: for every combination of ``group_by`` (its input
    ``group_by_columns``, with the metric column added as dsgrid adds it; all the non-time
    columns when no input is given), the time steps where the value is largest, every tied
    step listed. Columns: time, the group, value; sorted by the group."""
    keys = [o.name for o in outputs if o.type not in ("time", "value", "time_zone")]
    times = [o.name for o in outputs if o.type == "time"]
    if not times or any(o.type == "value" and o.name != VALUE for o in outputs):
        raise InputError("the peak_load report needs a stacked result with a time column.")
    if group_by is not None:
        unknown = [c for c in group_by if c not in keys]
        if unknown:
            raise InputError(
                f"result.reports: peak_load group_by_columns {', '.join(unknown)} are not "
                f"columns of the result (its columns: {', '.join(keys) or 'none but time'})."
            )
        metric = [o.name for o in outputs if o.type == "metric"]
        keys = [*group_by, *(m for m in metric if m not in group_by)]
    # RANK keeps every step tied for the largest value, as dsgrid's join on the maximum does
    window = exp.Window(
        this=exp.Rank(),
        partition_by=[col(k) for k in keys] or None,
        order=exp.Order(expressions=[exp.Ordered(this=col(VALUE), desc=True)]),
    )
    columns = [*times, *keys, VALUE]
    ranked = exp.select(*[col(n) for n in columns], alias(window, "__rank")).from_(
        subquery(result.copy(), "q")
    )
    order = [*keys, *times] if keys else [VALUE, *times]
    return (
        exp.select(*[col(n) for n in columns])
        .from_(subquery(ranked, "k"))
        .where(exp.EQ(this=col("__rank"), expression=exp.Literal.number(1)))
        .order_by(*[exp.Ordered(this=col(k)) for k in order])
    )
