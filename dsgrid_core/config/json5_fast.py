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
        return json.loads(translate(text.lstrip("\ufeff")))
    except (NotSimpleJson5, json.JSONDecodeError):
        import json5

        return json5.loads(text)
