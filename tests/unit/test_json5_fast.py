"""The fast JSON5 path gives exactly what the reference json5 parser gives."""

from __future__ import annotations

import json5
from hypothesis import given, settings
from hypothesis import strategies as st

from dsgrid_core.config.json5_fast import loads

keys = st.from_regex(r"[A-Za-z_][A-Za-z0-9_]{0,8}", fullmatch=True)
scalars = (
    st.none()
    | st.booleans()
    | st.integers(-(10**6), 10**6)
    | st.floats(allow_nan=False, allow_infinity=False, width=32)
    | st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=12)
)
values = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(keys, inner, max_size=4),
    max_leaves=12,
)


def _render(value, style: int) -> str:
    """JSON5 text in several styles: unquoted keys, single quotes, trailing commas."""
    import json

    if isinstance(value, dict):
        items = []
        for k, v in value.items():
            key = (
                k
                if style % 2 and k not in ("true", "false", "null", "NaN", "Infinity")
                else (json.dumps(k, ensure_ascii=False))
            )
            items.append(f"{key}: {_render(v, style)}")
        trail = "," if items and style % 3 == 0 else ""
        return "{\n  // comment\n  " + ",\n  ".join(items) + trail + "\n}"
    if isinstance(value, list):
        trail = "," if value and style % 3 == 0 else ""
        return "[" + ", ".join(_render(v, style) for v in value) + trail + "]"
    if isinstance(value, str) and style % 5 == 0 and value.isprintable() and "\\" not in value:
        return "'" + value.replace("'", "\\'") + "'"
    # ensure_ascii=False: json5 does not join \u surrogate pairs (our fast path does)
    return json.dumps(value, ensure_ascii=False)


@settings(max_examples=300, deadline=None)
@given(values, st.integers(0, 29))
def test_fast_path_matches_json5(value, style):
    text = _render(value, style)
    assert loads(text) == json5.loads(text)


def test_falls_back_for_syntax_json_cannot_take():
    assert loads("{a: 0x10, b: .5, c: +1}") == {"a": 16, "b": 0.5, "c": 1}
