"""The ``expression`` of a project query's dataset: how its source datasets are combined.

dsgrid evaluates it over each dataset mapped to the project's base dimensions: ``a | b``
appends the rows of both (the default, all source datasets joined by ``|``), ``a + b`` and
``a - b`` add or subtract values row by row (the datasets must have the same rows), ``a * b``
multiplies them; ``+``, ``-`` and ``*`` bind tighter than ``|``. A result summed over its
columns is linear in the datasets, so each dataset counts with a weight (``a - (b - c)``:
a +1, b -1, c +1) and the planner sums weighted rows. ``*`` is not linear, nor is any function
but ``sum`` under ``-``: those are refused, never answered as a plain sum.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from dsgrid_core.errors import InputError

_TOKEN = re.compile(r"\s*(?:(?P<id>[A-Za-z_][\w.-]*)|(?P<op>[|+\-*()]))")


@dataclass(frozen=True)
class Combination:
    """The datasets of an expression with their weights, in order of first use."""

    weights: dict[str, float]
    union_only: bool  # only '|': rows appended, none subtracted
    linear_only: bool  # no '|': one dataset made of the others, row by row

    @property
    def subtracts(self) -> bool:
        return any(w < 0 for w in self.weights.values())


class _Parser:
    def __init__(self, text: str, known: list[str], where: str):
        self.text, self.known, self.where = text, known, where
        self.tokens = self._tokens()
        self.pos = 0
        self.weights: dict[str, float] = {}
        self.ops: set[str] = set()

    def _fail(self, why: str) -> InputError:
        return InputError(f"{self.where}: cannot read the expression '{self.text}': {why}.")

    def _tokens(self) -> list[tuple[str, str]]:
        out, pos = [], 0
        while pos < len(self.text):
            if self.text[pos:].strip() == "":
                break
            match = _TOKEN.match(self.text, pos)
            if match is None:
                rest = self.text[pos:].strip()
                raise self._fail(
                    f"unexpected '{rest[:10]}' (use dataset ids with |, +, - and parentheses)"
                )
            kind = "id" if match.group("id") else "op"
            out.append((kind, match.group(kind)))
            pos = match.end()
        return out

    def _peek(self) -> tuple[str, str] | None:
        return self.tokens[self.pos] if self.pos < len(self.tokens) else None

    def parse(self) -> Combination:
        if not self.tokens:
            raise self._fail("it is empty")
        self._union(1.0)
        if self._peek() is not None:
            raise self._fail(f"unexpected '{self._peek()[1]}'")
        return Combination(self.weights, self.ops <= {"|"}, "|" not in self.ops)

    def _union(self, sign: float) -> None:
        self._sum(sign)
        while self._peek() == ("op", "|"):
            self.pos += 1
            self.ops.add("|")
            self._sum(sign)

    def _sum(self, sign: float) -> None:
        self._factor(sign)
        while self._peek() in (("op", "+"), ("op", "-")):
            op = self._peek()[1]
            self.pos += 1
            self.ops.add(op)
            self._factor(-sign if op == "-" else sign)
        if self._peek() == ("op", "*"):
            raise InputError(
                f"{self.where}: the expression '{self.text}' multiplies datasets ('*'), which "
                "is not supported yet; combine them with |, + or -."
            )

    def _factor(self, sign: float) -> None:
        token = self._peek()
        if token is None:
            raise self._fail("it ends where a dataset id or '(' is expected")
        self.pos += 1
        if token == ("op", "("):
            self._union(sign)
            if self._peek() != ("op", ")"):
                raise self._fail("a '(' is not closed")
            self.pos += 1
            return
        if token[0] != "id":
            raise self._fail(f"'{token[1]}' where a dataset id is expected")
        if token[1] not in self.known:
            raise InputError(
                f"{self.where}: the expression names '{token[1]}', which is not one of the "
                f"query's source_datasets ({', '.join(self.known)}). Add it there or fix the "
                "expression."
            )
        self.weights[token[1]] = self.weights.get(token[1], 0.0) + sign


def combination(expression: str | None, dataset_ids: list[str], where: str) -> Combination:
    """The weights of ``expression`` over the query's source ``dataset_ids`` (dsgrid's default:
    all of them joined by ``|``)."""
    if expression is None or not expression.strip():
        return Combination({d: 1.0 for d in dataset_ids}, True, len(dataset_ids) <= 1)
    return _Parser(expression, dataset_ids, where).parse()
