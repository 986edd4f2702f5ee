"""One relational plan per project query, built as a sqlglot tree and rendered per engine.

Stages: scan each source dataset -> map its dimensions to the project's base dimensions
(join on from_id, multiply by fraction; unit factors are folded into the metric mapping) ->
align time -> UNION ALL -> filter (base ids) -> map to supplemental dimensions and aggregate
-> names -> pivot -> sort / limit / offset. Identifiers are quoted; user values appear only as
literals in the tree.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlglot import exp

from dsgrid_core.config.dimension import NON_TIME_TYPES
from dsgrid_core.config.query import DimensionRef, ProjectQueryConfig
from dsgrid_core.errors import InputError
from dsgrid_core.query.context import ProjectContext
from dsgrid_core.query.filters import IdCondition, TimeCondition, resolve_filter

TIME_FUNCTIONS = ("hour", "day", "week", "month", "year")
VALUE = "value"
TIME = "timestamp"
RESULT_TABLE = "__result"


def col(name: str, table: str | None = None) -> exp.Column:
    return exp.column(name, table=table, quoted=True)


def table(name: str, alias: str | None = None) -> exp.Table:
    t = exp.to_table(name)
    t.this.set("quoted", True)
    return t.as_(alias, quoted=True) if alias else t


def alias(expr: exp.Expression, name: str) -> exp.Alias:
    return exp.alias_(expr, name, quoted=True)


def in_ids(expr: exp.Expression, ids: list[str]) -> exp.Expression:
    if not ids:
        return exp.false()
    return exp.In(this=expr, expressions=[exp.Literal.string(i) for i in ids])


@dataclass
class OutputColumn:
    name: str
    type: str  # dimension type, "time" or "value"
    dimension: Any = None  # DimensionInfo for names


@dataclass
class Plan:
    tree: exp.Select
    tables: dict[str, tuple[str, Any]]  # name -> ("parquet", path) | ("rows", Rows)
    columns: list[OutputColumn]
    time_output: str | None  # "instant", "local" or None
    time_zone: str | None
    reports: dict[str, exp.Select] = field(default_factory=dict)
    reports_from_result: bool = False

    def sql(self, engine) -> str:
        return _localize(self.tree.copy(), engine).sql(engine.dialect)

    def report_sql(self, name: str, engine) -> str:
        return _localize(self.reports[name].copy(), engine).sql(engine.dialect)


LOCAL_TIME = "__dsgrid_local_time"


def local_time(expr: exp.Expression, zone: str) -> exp.Expression:
    """Placeholder for 'this instant as wall-clock time in a zone'; each engine spells it."""
    return exp.Anonymous(this=LOCAL_TIME, expressions=[expr, exp.Literal.string(zone)])


def _localize(tree: exp.Expression, engine) -> exp.Expression:
    def swap(node):
        if isinstance(node, exp.Anonymous) and node.name == LOCAL_TIME:
            expr, zone = node.expressions
            return engine.local_time(expr, zone.name)
        return node

    return tree.transform(swap)


@dataclass
class Rows:
    """A small table given to the engine as Python rows (mappings, names)."""

    columns: list[tuple[str, str]]  # (name, "string" | "double")
    rows: list[tuple]


MAPPING_COLUMNS = [("from_id", "string"), ("to_id", "string"), ("fraction", "double")]


def _mapping_table(rows) -> Rows:
    return Rows(MAPPING_COLUMNS, [(str(f), str(t), float(x)) for f, t, x in rows])


def _names_table(dimension) -> Rows:
    return Rows(
        [("id", "string"), ("name", "string")],
        [(r["id"], str(r.get("name") or r["id"])) for r in dimension.records],
    )


def _time_literal(value) -> exp.Expression:
    return exp.cast(
        exp.Literal.string(value.strftime("%Y-%m-%d %H:%M:%S")), exp.DataType.build("timestamp")
    )


def _time_predicate(expr: exp.Expression, cond: TimeCondition) -> exp.Expression:
    parts = []
    for bound, strict, loose, tight in (
        (cond.lower, cond.lower_strict, exp.GTE, exp.GT),
        (cond.upper, cond.upper_strict, exp.LTE, exp.LT),
    ):
        if bound is not None:
            op = tight if strict else loose
            parts.append(op(this=expr.copy(), expression=_time_literal(bound)))
    predicate = exp.and_(*parts) if parts else exp.true()
    return exp.Not(this=exp.Paren(this=predicate)) if cond.negate else predicate


def _shifted(expr: exp.Expression, seconds: int) -> exp.Expression:
    if not seconds:
        return expr
    interval = exp.Interval(this=exp.Literal.string(str(abs(seconds))), unit=exp.var("SECOND"))
    return (
        exp.Add(this=expr, expression=interval)
        if seconds > 0
        else exp.Sub(this=expr, expression=interval)
    )


def _dataset_select(i: int, ds, tables: dict, conditions: list) -> exp.Select:
    """Scan one dataset and express it in the project's base dimensions."""
    scan = f"ds_{i}"
    tables[scan] = ("parquet", str(ds.table_path))
    select = exp.select().from_(table(scan, "d"))
    value: exp.Expression = col(VALUE, "d")
    projections = []
    for t in NON_TIME_TYPES:
        if t in ds.mappings:
            name, m = f"map_{i}_{t}", f"m_{t}"
            tables[name] = ("rows", _mapping_table(ds.mappings[t]))
            select = select.join(
                table(name, m), on=exp.EQ(this=col(t, "d"), expression=col("from_id", m))
            )
            projections.append(alias(col("to_id", m), t))
            value = exp.Mul(this=value, expression=col("fraction", m))
        else:
            projections.append(alias(col(t, "d"), t))
    projections.append(alias(_shifted(col(TIME, "d"), ds.time_shift_seconds), TIME))
    projections.append(alias(value, VALUE))
    select = select.select(*projections)
    # Filters on base ids: applied on the mapped columns, so they mean project records.
    where = []
    for cond in conditions:
        if isinstance(cond, IdCondition):
            expr = projections[NON_TIME_TYPES.index(cond.column)].this
            where.append(in_ids(expr.copy(), cond.ids))
        else:
            where.append(_time_predicate(_shifted(col(TIME, "d"), ds.time_shift_seconds), cond))
    if where:
        select = select.where(exp.and_(*where))
    return select


def _time_expr(
    source: exp.Expression, ref: DimensionRef | None, time_zone: str | None, default_zone: str
) -> tuple[exp.Expression, str]:
    """The output time column: instants (UTC) unless a zone or a resolution is asked for."""
    function = ref.function if ref is not None else None
    if function and function not in TIME_FUNCTIONS:
        raise InputError(f"time function '{function}' is not one of {', '.join(TIME_FUNCTIONS)}.")
    if time_zone is None and not function:
        return source, "instant"
    local = local_time(source, time_zone or default_zone)
    if function:
        # date_trunc(unit, ts) is spelled the same in DuckDB and Spark SQL
        return exp.Anonymous(
            this="date_trunc", expressions=[exp.Literal.string(function), local]
        ), "local"
    return local, "local"


def plan_project_query(context: ProjectContext, query: ProjectQueryConfig) -> Plan:
    tables: dict[str, tuple[str, Any]] = {}
    dataset_conditions = [
        resolve_filter(context, f, f"project.dataset.params.dimension_filters[{i}]")
        for i, f in enumerate(query.project.dataset.params.dimension_filters)
    ]
    result = query.result
    result_conditions = [
        resolve_filter(context, f, f"result.dimension_filters[{i}]")
        for i, f in enumerate(result.dimension_filters)
    ]
    selects = [
        _dataset_select(i, ds, tables, dataset_conditions + result_conditions)
        for i, ds in enumerate(context.datasets)
    ]
    union: exp.Expression = selects[0]
    for other in selects[1:]:
        union = exp.union(union, other, distinct=False)
    source = exp.Subquery(
        this=union, alias=exp.TableAlias(this=exp.to_identifier("u", quoted=True))
    )
    time_zone = result.time_zone
    if time_zone:
        from dsgrid_core.config.dimension import to_iana_time_zone

        try:
            time_zone = to_iana_time_zone(time_zone)
        except ValueError as exc:
            raise InputError(f"result.time_zone: {exc}") from None

    # Which columns come out, and how each is made from the union.
    aggregation = result.aggregations[0] if result.aggregations else None
    agg_select = exp.select().from_(source)
    value: exp.Expression = col(VALUE, "u")
    outputs: list[OutputColumn] = []
    group: list[exp.Expression] = []
    time_output = None
    if aggregation is None:
        for t in NON_TIME_TYPES:
            outputs.append(OutputColumn(t, t, context.base[t]))
            group.append(col(t, "u"))
        time_sql, time_output = _time_expr(col(TIME, "u"), None, time_zone, context.time_zone)
        outputs.append(OutputColumn(TIME, "time"))
        group.append(time_sql)
    else:
        for dim_type, names in aggregation.dimensions.items():
            t = dim_type.value
            if not names:
                continue
            if len(names) > 1:
                raise InputError(f"result.aggregations: give one {t} dimension (got {len(names)}).")
            ref = (
                names[0]
                if isinstance(names[0], DimensionRef)
                else DimensionRef(dimension_name=names[0])
            )
            if t == "time":
                if ref.dimension_name not in (
                    context.base["time"].name,
                    context.base["time"].id,
                    "time",
                ):
                    raise InputError(
                        f"result.aggregations: the project's time dimension is "
                        f"'{context.base['time'].name}', not "
                        f"'{ref.dimension_name}'."
                    )
                time_sql, time_output = _time_expr(
                    col(TIME, "u"), ref, time_zone, context.time_zone
                )
                outputs.append(OutputColumn(ref.alias or TIME, "time"))
                group.append(time_sql)
                continue
            info, supp = context.dimension(t, ref.dimension_name)
            name = ref.alias or t
            if supp is None:
                expr = col(t, "u")
            else:
                m = f"s_{t}"
                tname = f"supp_{t}_{supp.dimension.id}"
                tables[tname] = (
                    "rows",
                    _mapping_table([r for r in supp.mapping if r[1] is not None]),
                )
                agg_select = agg_select.join(
                    table(tname, m), on=exp.EQ(this=col(t, "u"), expression=col("from_id", m))
                )
                expr = col("to_id", m)
                value = exp.Mul(this=value, expression=col("fraction", m))
            outputs.append(OutputColumn(name, t, info))
            group.append(expr)
    function = aggregation.aggregation_function if aggregation else "sum"
    agg_func = {
        "sum": exp.Sum,
        "mean": exp.Avg,
        "min": exp.Min,
        "max": exp.Max,
        "count": exp.Count,
    }[function]
    time_index = next((i for i, o in enumerate(outputs) if o.type == "time"), None)
    if time_output == "local" and function in ("sum", "min", "max") and time_index is not None:
        # Two stages: aggregate on the stored instants first, then convert the (far fewer)
        # aggregated rows to local time and truncate. Exact for sum, min and max, and it
        # spares a time-zone conversion per input row.
        time_sql = group[time_index]
        raw = col(TIME, "u")
        inner_group = [raw if i == time_index else g for i, g in enumerate(group)]
        inner_names = [TIME if i == time_index else o.name for i, o in enumerate(outputs)]
        inner = agg_select.select(
            *[alias(g.copy(), n) for g, n in zip(inner_group, inner_names, strict=True)],
            alias(agg_func(this=value), VALUE),
        ).group_by(*[g.copy() for g in inner_group])
        stage = exp.Subquery(
            this=inner, alias=exp.TableAlias(this=exp.to_identifier("i", quoted=True))
        )
        outer_time = time_sql.copy().transform(lambda node: col(TIME, "i") if node == raw else node)
        outer_group = [
            outer_time if i == time_index else col(n, "i") for i, n in enumerate(inner_names)
        ]
        agg_select = (
            exp.select(
                *[alias(g.copy(), o.name) for g, o in zip(outer_group, outputs, strict=True)],
                alias(
                    {"sum": exp.Sum, "min": exp.Min, "max": exp.Max}[function](
                        this=col(VALUE, "i")
                    ),
                    VALUE,
                ),
            )
            .from_(stage)
            .group_by(*[g.copy() for g in outer_group])
        )
    else:
        projections = [alias(g.copy(), o.name) for g, o in zip(group, outputs, strict=True)]
        projections.append(alias(agg_func(this=value), VALUE))
        agg_select = agg_select.select(*projections)
        if group:
            agg_select = agg_select.group_by(*[g.copy() for g in group])
    outputs.append(OutputColumn(VALUE, "value"))
    current: exp.Select = agg_select

    if result.replace_ids_with_names:
        named = exp.select().from_(
            exp.Subquery(
                this=current, alias=exp.TableAlias(this=exp.to_identifier("a", quoted=True))
            )
        )
        cols = []
        for o in outputs:
            if o.type in ("time", "value") or o.dimension is None:
                cols.append(alias(col(o.name, "a"), o.name))
                continue
            n = f"n_{o.name}"
            tname = f"names_{o.name}_{o.dimension.id}"
            tables[tname] = ("rows", _names_table(o.dimension))
            named = named.join(
                table(tname, n),
                on=exp.EQ(this=col(o.name, "a"), expression=col("id", n)),
                join_type="left",
            )
            cols.append(
                alias(exp.Coalesce(this=col("name", n), expressions=[col(o.name, "a")]), o.name)
            )
        current = named.select(*cols)

    fmt = result.table_format
    if fmt.format_type == "pivoted":
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
        inner = exp.Subquery(
            this=current, alias=exp.TableAlias(this=exp.to_identifier("p", quoted=True))
        )
        cols = [alias(col(o.name, "p"), o.name) for o in keys]
        for rid in ids:
            cols.append(
                alias(
                    exp.Sum(
                        # CASE WHEN pivot = 'id' THEN value END: the same in every dialect
                        this=exp.Case(
                            ifs=[
                                exp.If(
                                    this=exp.EQ(
                                        this=col(pivot.name, "p"),
                                        expression=exp.Literal.string(rid),
                                    ),
                                    true=col(VALUE, "p"),
                                )
                            ]
                        )
                    ),
                    rid,
                )
            )
        current = exp.select(*cols).from_(inner)
        if keys:
            current = current.group_by(*[col(o.name, "p") for o in keys])
        outputs = keys + [OutputColumn(rid, "value") for rid in ids]

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
        alias(exp.cast(col(n), exp.DataType.build("double")), n) if kinds[n] == "value" else col(n)
        for n in names
    ]
    wrapped = exp.select(*final).from_(
        exp.Subquery(this=current, alias=exp.TableAlias(this=exp.to_identifier("r", quoted=True)))
    )
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

    plan = Plan(
        tree=wrapped, tables=tables, columns=outputs, time_output=time_output, time_zone=time_zone
    )
    for report in result.reports:
        if report.report_type == "peak_load":
            # Reports read the finished result (table RESULT_TABLE) instead of recomputing it,
            # unless the result is only a page of the whole.
            if result.limit is None and not result.offset:
                source = exp.select("*").from_(table(RESULT_TABLE))
                plan.reports_from_result = True
            else:
                source = current
            plan.reports["peak_load"] = _peak_load(source, outputs)
    return plan


def _peak_load(result: exp.Select, outputs: list[OutputColumn]) -> exp.Select:
    """For every combination of the non-time columns, the time step with the largest value."""
    keys = [o.name for o in outputs if o.type not in ("time", "value")]
    times = [o.name for o in outputs if o.type == "time"]
    if not times or any(o.type == "value" and o.name != VALUE for o in outputs):
        raise InputError("the peak_load report needs a stacked result with a time column.")
    window = exp.Window(
        this=exp.RowNumber(),
        partition_by=[col(k) for k in keys] or None,
        order=exp.Order(
            expressions=[exp.Ordered(this=col(VALUE), desc=True), exp.Ordered(this=col(times[0]))]
        ),
    )
    ranked = exp.select(*[col(n) for n in [*keys, *times, VALUE]], alias(window, "__rank")).from_(
        exp.Subquery(
            this=result.copy(), alias=exp.TableAlias(this=exp.to_identifier("q", quoted=True))
        )
    )
    return (
        exp.select(*[col(n) for n in [*keys, *times, VALUE]])
        .from_(
            exp.Subquery(
                this=ranked, alias=exp.TableAlias(this=exp.to_identifier("k", quoted=True))
            )
        )
        .where(exp.EQ(this=col("__rank"), expression=exp.Literal.number(1)))
        .order_by(*[exp.Ordered(this=col(k)) for k in keys] or [exp.Ordered(this=col(VALUE))])
    )
