"""What an engine provides, and the few SQL functions that differ between engines.

The planner builds one sqlglot tree; only time-zone conversion is spelled differently per
engine, so each engine supplies that node and its sqlglot dialect renders the rest.
"""

from __future__ import annotations

from typing import Protocol

from sqlglot import exp


class Engine(Protocol):
    name: str
    dialect: str

    def register_parquet(self, name: str, path: str) -> None: ...
    def register_rows(self, name: str, columns: list[tuple[str, str]], rows: list) -> None: ...
    def register_result(self, name: str, path, sql: str) -> None: ...
    def execute(self, sql: str): ...  # -> pyarrow.Table
    def interrupt(self) -> None: ...
    def close(self) -> None: ...
    def local_time(self, expr: exp.Expression, time_zone: str) -> exp.Expression: ...
