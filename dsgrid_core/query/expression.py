"""The ``expression`` of a project query's dataset: how its source datasets are combined.

dsgrid evaluates it over each dataset mapped to the project's base dimensions (or, with
``aggregate_each_dataset``, over each dataset already aggregated): ``a | b`` appends the rows
of both (the default, all source datasets joined by ``|``), ``a + b``, ``a - b`` and ``a * b``
add, subtract or multiply values row by row (a join on every column but the value; the
datasets must have the same rows). As in dsgrid's parser, ``*`` binds tighter than ``+`` and
``-``, which bind tighter than ``|``; each is left-associative. A result summed over its
columns is linear in the datasets when there is no ``*``, so each dataset counts with a weight
(``a - (b - c)``: a +1, b -1, c +1) and the planner sums weighted rows. ``*`` is not linear:
the planner evaluates the expression tree itself (``tree``), joining the operands' rows.
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


@dataclass(frozen=True)
class Node:
    """A parsed expression: a dataset id (``op`` "id", ``name``), or ``op`` one of | + - *
    over ``left`` and ``right``."""

    op: str
    name: str | None = None
    left: Node | None = None
    right: Node | None = None

    def dataset_ids(self) -> list[str]:
        """The datasets used, in order of first use."""
        if self.op == "id":
            return [self.name]
        out = self.left.dataset_ids()
        return out + [d for d in self.right.dataset_ids() if d not in out]

    def operators(self) -> set[str]:
        if self.op == "id":
            return set()
        return {self.op} | self.left.operators() | self.right.operators()

    def __str__(self) -> str:
        if self.op == "id":
            return self.name
        return f"({self.left} {self.op} {self.right})"


class _Parser:
    def __init__(self, text: str, known: list[str], where: str):
        self.text, self.known, self.where = text, known, where
        self.tokens = self._tokens()
        self.pos = 0

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
                    f"unexpected '{rest[:10]}' (use dataset ids with |, +, -, * and parentheses)"
                )
            kind = "id" if match.group("id") else "op"
            out.append((kind, match.group(kind)))
            pos = match.end()
        return out

    def _peek(self) -> tuple[str, str] | None:
        return self.tokens[self.pos] if self.pos < len(self.tokens) else None

    def parse(self) -> Node:
        if not self.tokens:
            raise self._fail("it is empty")
        node = self._union()
        if self._peek() is not None:
            raise self._fail(f"unexpected '{self._peek()[1]}'")
        return node

    def _binary(self, ops: tuple[str, ...], operand) -> Node:
        node = operand()
        while self._peek() in [("op", o) for o in ops]:
            op = self._peek()[1]
            self.pos += 1
            node = Node(op, left=node, right=operand())
        return node

    def _union(self) -> Node:
        return self._binary(("|",), self._sum)

    def _sum(self) -> Node:
        return self._binary(("+", "-"), self._product)

    def _product(self) -> Node:
        return self._binary(("*",), self._factor)

    def _factor(self) -> Node:
        token = self._peek()
        if token is None:
            raise self._fail("it ends where a dataset id or '(' is expected")
        self.pos += 1
        if token == ("op", "("):
            node = self._union()
            if self._peek() != ("op", ")"):
                raise self._fail("a '(' is not closed")
            self.pos += 1
            return node
        if token[0] != "id":
            raise self._fail(f"'{token[1]}' where a dataset id is expected")
        if token[1] not in self.known:
            raise InputError(
                f"{self.where}: the expression names '{token[1]}', which is not one of the "
                f"query's source_datasets ({', '.join(self.known)}). Add it there or fix the "
                "expression."
            )
        return Node("id", name=token[1])


def _weights(node: Node, sign: float, weights: dict[str, float]) -> None:
    if node.op == "id":
        weights[node.name] = weights.get(node.name, 0.0) + sign
        return
    _weights(node.left, sign, weights)
    _weights(node.right, -sign if node.op == "-" else sign, weights)


def tree(expression: str | None, dataset_ids: list[str], where: str) -> Node:
    """The parsed ``expression`` (dsgrid's default: all ``dataset_ids`` joined by ``|``)."""
    if expression is None or not expression.strip():
        node = Node("id", name=dataset_ids[0])
        for other in dataset_ids[1:]:
            node = Node("|", left=node, right=Node("id", name=other))
        return node
    return _Parser(expression, dataset_ids, where).parse()


def combination(expression: str | None, dataset_ids: list[str], where: str) -> Combination:
    """The weights of ``expression`` over the query's source ``dataset_ids`` (dsgrid's default:
    all of them joined by ``|``)."""
    if expression is None or not expression.strip():
        return Combination({d: 1.0 for d in dataset_ids}, True, len(dataset_ids) <= 1)
    node = tree(expression, dataset_ids, where)
    ops = node.operators()
    if "*" in ops:
        raise InputError(
            f"{where}: the expression '{expression}' multiplies datasets ('*'), which has no "
            "weights per dataset; it is evaluated as a tree (expression.tree)."
        )
    weights: dict[str, float] = {}
    _weights(node, 1.0, weights)
    return Combination(weights, ops <= {"|"}, "|" not in ops)
