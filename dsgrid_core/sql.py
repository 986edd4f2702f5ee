"""Safe SQL fragments: every identifier quoted and every value a literal, rendered by sqlglot.

Statements in the registry are assembled only from these fragments, so no text from a config
or a user is ever pasted into SQL unquoted.
"""

from __future__ import annotations

from typing import Any

from sqlglot import exp

DIALECT = "duckdb"


def ident(name: str) -> str:
    """A quoted identifier."""
    return exp.to_identifier(str(name), quoted=True).sql(DIALECT)


def lit(value: Any) -> str:
    """A literal (string, number, bool or NULL)."""
    return exp.convert(value).sql(DIALECT)


def idents(names) -> str:
    return ", ".join(ident(n) for n in names)


def in_list(column: str, values) -> str:
    return f"{ident(column)} IN ({', '.join(lit(v) for v in values)})"
