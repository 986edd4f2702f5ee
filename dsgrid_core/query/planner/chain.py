"""Chained aggregations and expressions evaluated as trees.

**Chained aggregations.** dsgrid applies ``result.aggregations`` in order, each to the result
of the one before (``UnpivotedTableHandler.process_stacked_aggregations``): it groups the
previous result by the columns the aggregation keeps, with its own function. A column is kept
as it is, or, for a supplemental dimension, made from the previous result's *base* column
through the project's base -> supplemental mapping (value x fraction). The first aggregation
goes through the usual plan (``sum_plan`` / ``row_plan``); every later one is a further
``GROUP BY`` stage over the previous stage's tree (``aggregate_stage``). What dsgrid cannot
answer either is refused, naming the aggregation: a dimension an earlier aggregation dropped,
a finer dimension than the previous one kept, a supplemental dimension made from another
supplemental one (its base column is gone), a time column other than the one kept before.

**Expressions with ``*``.** dsgrid evaluates the expression over one DataFrame per dataset
(``DatasetExpressionHandler``): ``|`` appends rows; ``+``, ``-``, ``*`` join the two operands
on every column but the value and combine the values, and refuse operands whose rows do not
match one to one (different row counts, or a join that changes the count). The operands are
the datasets mapped to the project's base dimensions, then the aggregations apply to the
combined rows; with ``aggregate_each_dataset`` they are the datasets each aggregated through
every aggregation, and the combined rows are the result. Here each operand is planned apart
(its tables renamed), then the tree is evaluated in SQL: ``UNION ALL`` for ``|``, a full outer
join for the others, whose rows, where a key is missing on one side or repeated on either,
stop the query with an error (``fail``: each engine spells it) instead of answering. Mapped
datasets are summed per base key first: a key repeated in a mapped dataset would make
dsgrid's join change the row count.
"""

from __future__ import annotations

from dataclasses import replace

from sqlglot import exp

from dsgrid_core.config.query import ProjectQueryConfig
from dsgrid_core.errors import InputError
from dsgrid_core.query.context_types import ProjectContext
from dsgrid_core.query.expression import Node
from dsgrid_core.query.planner.metric_units import with_metric_units
from dsgrid_core.query.planner.outputs import Shape, aggregation_shape, result_shape
from dsgrid_core.query.planner.row_plan import FUNCTIONS, plan_rows
from dsgrid_core.query.planner.sqltree import VALUE, alias, col, mapping_rows, subquery, table
from dsgrid_core.query.planner.sum_plan import plan_sum
from dsgrid_core.query.planner.timekeys import local_period
from dsgrid_core.query.units import one_unit

FAIL = "__dsgrid_fail"
ROW = "__row"
COUNT = "__count"


def fail(message: str) -> exp.Expression:
    """Placeholder for 'stop the query with this message'; ``localize_fail`` spells it."""
    return exp.Anonymous(this=FAIL, expressions=[exp.Literal.string(message)])


def localize_fail(tree: exp.Expression, dialect: str) -> exp.Expression:
    """DuckDB's ``error(msg)``, Spark's ``raise_error(msg)``."""
    name = "error" if dialect == "duckdb" else "raise_error"

    def swap(node):
        if isinstance(node, exp.Anonymous) and node.name == FAIL:
            return exp.Anonymous(this=name, expressions=node.expressions)
        return node

    return tree.transform(swap)


def _where(i: int) -> str:
    return f"result.aggregations[{i}]"


def stage_shapes(
    context: ProjectContext, query: ProjectQueryConfig, time_zone: str | None
) -> list[Shape]:
    """The shapes of the aggregations after the first, metric units converted as in the
    first (``with_metric_units``)."""
    by_name = query.result.column_type == "dimension_names"
    shapes = []
    for i, aggregation in enumerate(query.result.aggregations[1:], start=1):
        shape = aggregation_shape(context, aggregation, by_name, time_zone, _where(i))
        try:
            shape = with_metric_units(context, shape, query.result.unit, True)
        except InputError as exc:
            text = str(exc).replace("result.aggregations:", f"{_where(i)}:", 1)
            raise InputError(text) from None
        shapes.append(shape)
    return shapes


def _check_metric_dropped(previous: Shape, shape: Shape, unit: str | None, where: str) -> None:
    """A stage that adds every metric together after the one before kept a supplemental
    metric: the values are in each supplemental record's unit, which must be one."""
    before = previous.dimensions.get("metric")
    if one_unit(unit) or shape.function == "count" or "metric" in shape.dimensions:
        return  # one unit for every value, rows counted, or the metric kept
    if before is None:
        return
    if before.supplemental is None:
        return  # base records: with_metric_units checked their units
    units = {r.get("unit") or None for r in before.dimension.records}
    if len(units) > 1 or None in units:
        raise InputError(
            f"{where}: it keeps no metric column, so it would add values of "
            f"'{before.dimension.name}' in different units. Keep the metric, or set result.unit."
        )


def aggregate_stage(
    current: exp.Select,
    previous: Shape,
    shape: Shape,
    tables: dict,
    tag: str,
    where: str,
    before: str,
    unit: str | None = None,
) -> exp.Select:
    """``shape``'s aggregation over ``current`` (columns ``previous.columns`` and value)."""
    _check_metric_dropped(previous, shape, unit, where)
    src = f"c_{tag}"
    select = exp.select().from_(subquery(current, src))
    value: exp.Expression = col(VALUE, src)
    kept = {c.type: c for c in previous.columns}
    group: list[exp.Expression] = []
    for c in shape.columns:
        p = kept.get(c.type)
        if p is None:
            raise InputError(
                f"{where}: it keeps {c.type}, which {before} dropped; an aggregation can only "
                f"keep dimensions the one before it kept. Keep {c.type} in {before}, or drop "
                "it here."
            )
        if c.type == "time":
            if shape.time == previous.time:
                group.append(col(p.name, src))
            elif previous.time is not None and previous.time.kind == "instant":
                group.append(local_period(col(p.name, src), shape.time))
            else:
                raise InputError(
                    f"{where}: its time column ({c.name}) differs from the one {before} keeps "
                    f"({p.name}); a later aggregation keeps time as the one before it did, or "
                    f"drops it. Apply the time function or time zone in {before}."
                )
            continue
        if c.dimension.id == p.dimension.id:
            group.append(col(p.name, src))
        elif p.supplemental is None and c.supplemental is not None:
            name, m = f"chain_{tag}_{c.type}", f"m_{c.type}"
            rows = [r for r in c.supplemental.mapping if r[1] is not None]
            tables[name] = ("rows", mapping_rows(rows))
            select = select.join(
                table(name, m), on=exp.EQ(this=col(p.name, src), expression=col("from_id", m))
            )
            group.append(col("to_id", m))
            if any(x != 1.0 for _, _, x in rows):
                value = exp.Mul(this=value, expression=col("fraction", m))
        else:
            finer = c.supplemental is None
            raise InputError(
                f"{where}: {c.type} '{c.dimension.name}' cannot be made from "
                f"'{p.dimension.name}', the {c.type} column {before} keeps: "
                + (
                    "it is finer. "
                    if finer
                    else "only the base dimension maps to a supplemental one. "
                )
                + f"Keep the base {c.type} dimension in {before}, or keep "
                f"'{p.dimension.name}' here."
            )
    projections = [alias(g.copy(), c.name) for g, c in zip(group, shape.columns, strict=True)]
    projections.append(alias(FUNCTIONS[shape.function](this=value), VALUE))
    select = select.select(*projections)
    if group:
        select = select.group_by(*[g.copy() for g in group])
    return select


def chained(
    current: exp.Select,
    first: Shape,
    stages: list[Shape],
    tables: dict,
    tag: str,
    unit: str | None,
    offset: int = 1,
) -> exp.Select:
    """``current`` (in ``first``'s columns) through every later aggregation in turn."""
    previous = first
    for i, shape in enumerate(stages, start=offset):
        current = aggregate_stage(
            current, previous, shape, tables, f"{tag}{i}", _where(i), _where(i - 1), unit
        )
        previous = shape
    return current


def isolated(
    context: ProjectContext,
    dataset_id: str,
    shape: Shape,
    conditions: list,
    tables: dict,
    prefix: str,
) -> exp.Select:
    """One dataset planned alone in ``shape``'s columns (summed or not, as its function
    says); its tables renamed with ``prefix`` so that several such plans share ``tables``."""
    ds = next(d for d in context.datasets if d.dataset_id == dataset_id)
    one = replace(context, datasets=[replace(ds, weight=1.0)])
    own: dict = {}
    build = plan_sum if shape.function == "sum" else plan_rows
    tree = build(one, shape, conditions, own, False)

    def rename(node):
        if isinstance(node, exp.Table) and node.name in own:
            node.set("this", exp.to_identifier(prefix + node.name, quoted=True))
        return node

    tree = tree.transform(rename)
    for name, value in own.items():
        tables[prefix + name] = value
    return tree


def union_all(parts: list[exp.Select]) -> exp.Select:
    names = [p.alias_or_name for p in parts[0].expressions]
    union: exp.Expression = parts[0]
    for other in parts[1:]:
        union = exp.union(union, other, distinct=False)
    return exp.select(*[col(n, "u") for n in names]).from_(subquery(union, "u"))


def _marked(side: exp.Select, keys: list[str], name: str) -> exp.Subquery:
    """``side`` with a marker column and the count of its rows with the same key."""
    window = exp.Window(
        this=exp.Count(this=exp.Star()), partition_by=[col(k, "s") for k in keys] or None
    )
    select = exp.select(
        *[col(k, "s") for k in keys],
        col(VALUE, "s"),
        alias(exp.Literal.number(1), ROW),
        alias(window, COUNT),
    ).from_(subquery(side, "s"))
    return subquery(select, name)


_OPS = {"+": exp.Add, "-": exp.Sub, "*": exp.Mul}


def combined(left: exp.Select, right: exp.Select, op: str, keys: list[str], text: str):
    """``left op right`` as dsgrid's DatasetExpressionHandler computes it."""
    if op == "|":
        return union_all([left, right])
    on = exp.and_(*[exp.EQ(this=col(k, "l"), expression=col(k, "r")) for k in keys])
    select = (
        exp.select()
        .from_(_marked(left, keys, "l"))
        .join(_marked(right, keys, "r"), on=on if keys else exp.true(), join_type="full")
    )
    mismatch = exp.or_(
        exp.Is(this=col(ROW, "l"), expression=exp.Null()),
        exp.Is(this=col(ROW, "r"), expression=exp.Null()),
        exp.GT(this=col(COUNT, "l"), expression=exp.Literal.number(1)),
        exp.GT(this=col(COUNT, "r"), expression=exp.Literal.number(1)),
    )
    message = (
        f"project.dataset.expression: '{text}' combines rows with '{op}', which needs both "
        "sides to have the same rows (each combination of the other columns once on each "
        "side), as dsgrid requires; they do not. Filter the query to rows both sides have, "
        "or use '|'."
    )
    value = exp.Case(
        ifs=[exp.If(this=mismatch, true=fail(message))],
        default=_OPS[op](this=col(VALUE, "l"), expression=col(VALUE, "r")),
    )
    projections = [
        alias(exp.Coalesce(this=col(k, "l"), expressions=[col(k, "r")]), k) for k in keys
    ]
    return select.select(*projections, alias(value, VALUE))


def evaluated(node: Node, leaves: dict[str, exp.Select], keys: list[str], text: str):
    if node.op == "id":
        return leaves[node.name].copy()
    return combined(
        evaluated(node.left, leaves, keys, text),
        evaluated(node.right, leaves, keys, text),
        node.op,
        keys,
        text,
    )


def plan_expression(
    context: ProjectContext,
    query: ProjectQueryConfig,
    node: Node,
    conditions: list,
    tables: dict,
    time_zone: str | None,
) -> tuple[exp.Select, Shape]:
    """The query's result for an expression evaluated as a tree (one with ``*``); returns
    the tree and the shape of its columns."""
    result = query.result
    unit = result.unit
    text = query.project.dataset.expression or ""
    first = with_metric_units(context, result_shape(context, query, time_zone), unit, True)
    stages = stage_shapes(context, query, time_zone)
    final = stages[-1] if stages else first
    ids = node.dataset_ids()
    if result.aggregate_each_dataset and result.aggregations:
        # dsgrid: each dataset through every aggregation, then the expression; nothing after
        leaves = {}
        for j, dataset_id in enumerate(ids):
            prefix = f"e{j}_"
            leaf = isolated(context, dataset_id, first, conditions, tables, prefix)
            leaves[dataset_id] = chained(leaf, first, stages, tables, prefix, unit)
        keys = [c.name for c in final.columns]
        return evaluated(node, leaves, keys, text), final
    # dsgrid: the expression over the datasets mapped to the base dimensions (instants),
    # then the aggregations over its rows
    base_query = query.model_copy(update={"result": result.model_copy(update={"aggregations": []})})
    base = result_shape(context, base_query, None)
    leaves = {
        dataset_id: isolated(context, dataset_id, base, conditions, tables, f"e{j}_")
        for j, dataset_id in enumerate(ids)
    }
    current = evaluated(node, leaves, [c.name for c in base.columns], text)
    if base.columns != first.columns or base.time != first.time:
        where = _where(0) if result.aggregations else "result"
        current = aggregate_stage(
            current, base, first, tables, "s0", where, "the expression's rows", unit
        )
    return chained(current, first, stages, tables, "s", unit), final
