"""A fast path for JSON5: translate the common JSON5 forms to JSON and let ``json`` parse it.

The ``json5`` package is a pure-Python parser that takes about 0.1 s for a project config;
most dsgrid files only use comments, unquoted keys, single quotes and trailing commas, which a
tokenizer turns into JSON in a few milliseconds. Anything else (or any syntax error) falls back
to ``json5`` so that errors keep their line and column.
"""

from __future__ import annotations

import json
import re
from typing import Any

_TOKEN = re.compile(
    r"""
    (?P<ws>\s+)
  | (?P<line_comment>//[^\n]*)
  | (?P<block_comment>/\*.*?\*/)
  | (?P<dq>"(?:[^"\\\n]|\\.)*")
  | (?P<sq>'(?:[^'\\\n]|\\.)*')
  | (?P<number>-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?)
  | (?P<ident>[A-Za-z_$][\w$]*)
  | (?P<punct>[{}\[\]:,])
    """,
    re.VERBOSE | re.DOTALL,
)


class NotSimpleJson5(ValueError):
    pass


# Python refuses to convert integers longer than this (sys.get_int_max_str_digits) with advice
# meant for programmers; such numbers are kept as text instead and refused, naming the field,
# by ``files.check_config_values``.
MAX_INT_DIGITS = 4300


class LongNumber(str):
    """An integer literal too long to convert, kept as written."""

    @property
    def digits(self) -> int:
        return len(self.lstrip("+-"))


def _parse_int(text: str, base: int = 10) -> int | LongNumber:
    """``int`` for ``json`` and ``json5`` (which passes base=16 for hex, never limited)."""
    if base == 10 and len(text) > MAX_INT_DIGITS and len(text.lstrip("+-")) > MAX_INT_DIGITS:
        return LongNumber(text)
    return int(text, base)


def translate(text: str) -> str:
    out: list[str] = []
    pos, end = 0, len(text)
    while pos < end:
        m = _TOKEN.match(text, pos)
        if m is None:
            raise NotSimpleJson5(pos)
        kind = m.lastgroup
        value = m.group()
        pos = m.end()
        if kind in ("ws", "line_comment", "block_comment"):
            continue
        if kind == "sq":
            inner = value[1:-1].replace("\\'", "'").replace('"', '\\"')
            value = f'"{inner}"'
        elif kind == "ident":
            if value not in ("true", "false", "null", "NaN", "Infinity"):
                value = json.dumps(value)
        elif kind == "punct" and value in "}]" and out and out[-1] == ",":
            out.pop()
        out.append(value)
    return "".join(out)


def loads(text: str) -> Any:
    """Parse JSON5 text; raises ValueError (from ``json5``) with a position on bad input."""
    try:
        return json.loads(translate(text.lstrip("\ufeff")), parse_int=_parse_int)
    except (NotSimpleJson5, json.JSONDecodeError):
        import json5  # late: json5, only for the fallback

        return json5.loads(text, parse_int=_parse_int)
