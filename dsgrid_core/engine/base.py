"""What an engine provides, what it can do beyond that, and the few SQL functions that differ
between engines.

Every engine subclasses ``Engine``: it implements the abstract methods, and declares its
capabilities as class attributes, each with the method it allows (``writes_parquet_itself``
with ``copy_to_parquet``, ``can_lock_down`` with ``lock_down``); callers ask the attribute,
never ``hasattr``. A subclass declaring a capability without its method is refused when the
class is made.

The planner builds one sqlglot tree; only time-zone conversion is spelled differently per
engine, so each engine supplies that node and its sqlglot dialect renders the rest.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import TYPE_CHECKING, ClassVar

if TYPE_CHECKING:
    from sqlglot import exp

# capability attribute -> the method an engine declaring it must implement
CAPABILITIES: dict[str, str] = {
    "writes_parquet_itself": "copy_to_parquet",
    "can_lock_down": "lock_down",
}


class QueryInterrupted(Exception):
    """A running statement was stopped by ``Engine.interrupt`` (cancelled, or over its time
    limit), whichever engine ran it."""


class Engine(ABC):
    name: ClassVar[str]
    dialect: ClassVar[str]  # sqlglot's name for the engine's SQL
    # Writes a result to Parquet itself (``copy_to_parquet``), with no Arrow table in between.
    writes_parquet_itself: ClassVar[bool] = False
    # Can be confined to the registered files and the result folder (``lock_down``).
    can_lock_down: ClassVar[bool] = False

    def __init_subclass__(cls, **kwargs) -> None:
        super().__init_subclass__(**kwargs)
        for capability, method in CAPABILITIES.items():
            if getattr(cls, capability) and getattr(cls, method) is getattr(Engine, method):
                raise TypeError(f"{cls.__name__} declares {capability} but has no {method}")

    @abstractmethod
    def register_parquet(self, name: str, path: str) -> None:
        """A stored table (a local path or an s3:// URL) as the view ``name``."""

    @abstractmethod
    def register_rows(self, name: str, columns: list[tuple[str, str]], rows: list) -> None:
        """Rows given in Python as the table ``name``; ``columns`` are (name, kind) pairs, kind
        one of string, double, instant, wallclock, integer."""

    @abstractmethod
    def register_result(self, name: str, path, sql: str) -> None:
        """The query's own result (written to ``path`` by ``sql``) as the view ``name``."""

    @abstractmethod
    def execute(self, sql: str):
        """The statement's result as a pyarrow.Table; ``QueryInterrupted`` when ``interrupt``
        stopped it."""

    @abstractmethod
    def interrupt(self) -> None:
        """Stop the running statement (from another thread)."""

    @abstractmethod
    def close(self) -> None: ...

    @abstractmethod
    def local_time(self, expr: exp.Expression, time_zone: str) -> exp.Expression:
        """``expr`` (a UTC instant) as wall-clock time in ``time_zone``."""

    def copy_to_parquet(self, sql: str, path) -> int:
        """Only when ``writes_parquet_itself``: the result of ``sql`` written to ``path``;
        returns its row count."""
        raise NotImplementedError(f"the {self.name} engine does not write Parquet itself")

    def lock_down(self, writable=()) -> None:
        """Only when ``can_lock_down``: once the inputs are registered, SQL may read those
        files, write into the ``writable`` folders, and touch nothing else."""
        raise NotImplementedError(f"the {self.name} engine cannot be locked down")
