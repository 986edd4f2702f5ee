"""The Sankey of a mapping page reads: every node has its label, drawn at 12 px or more, inside
the figure (not cut off) and clear of every other label; one label per from and to record of
the mapping's file."""

from __future__ import annotations

import csv

import pytest
from conftest import wait_until

from app import ids

pytestmark = pytest.mark.browser

MAPPING = "demo_comstock_like_end_uses__to__demo_end_uses"
MAPPING_FILE = "datasets/demo_comstock_like/dimension_mappings/enduse_to_project_enduse.csv"

# The node labels plotly drew: their text, computed font size and box, and the figure's box.
LABELS_JS = """
const root = document.getElementById(arguments[0]);
if (root) root.scrollIntoView({block: 'start', behavior: 'instant'});
const svg = root && root.querySelector('.main-svg');
const labels = root ? Array.from(root.querySelectorAll('.sankey .node-label')) : [];
if (!svg || !labels.length) return null;
const frame = svg.getBoundingClientRect();
return {
    frame: {left: frame.left, right: frame.right, top: frame.top, bottom: frame.bottom},
    labels: labels.map(t => {
        const box = t.getBoundingClientRect();
        return {text: t.textContent, size: parseFloat(getComputedStyle(t).fontSize),
                left: box.left, right: box.right, top: box.top, bottom: box.bottom};
    }),
};
"""


def _overlap(a: dict, b: dict) -> bool:
    return (
        a["left"] < b["right"]
        and b["left"] < a["right"]
        and a["top"] < b["bottom"]
        and b["top"] < a["bottom"]
    )


@pytest.mark.parametrize("width", [1400, 800])
def test_sankey_labels_are_readable_whole_and_apart(dash_duo, viewer, demo_registry, width):
    registry, inputs = demo_registry
    with (inputs / MAPPING_FILE).open(newline="") as f:
        rows = list(csv.DictReader(f))
    expected = len({r["from_id"] for r in rows}) + len({r["to_id"] for r in rows})

    dash_duo.driver.set_window_size(width, 1000)
    dash_duo.start_server(viewer(registry))
    dash_duo.wait_for_page(f"{dash_duo.server_url}/mappings/{MAPPING}")

    def drawn():
        found = dash_duo.driver.execute_script(LABELS_JS, ids.MAPPING_SANKEY)
        return found if found and len(found["labels"]) == expected else None

    found = wait_until(drawn, message="the Sankey's node labels")
    frame, labels = found["frame"], found["labels"]
    for record in {r["from_id"] for r in rows} | {r["to_id"] for r in rows}:
        assert any(record in label["text"] for label in labels), record
    for label in labels:
        assert label["size"] >= 12, label
        assert frame["left"] <= label["left"] and label["right"] <= frame["right"], label
        assert frame["top"] <= label["top"] and label["bottom"] <= frame["bottom"], label
    clashes = [
        (a["text"], b["text"])
        for i, a in enumerate(labels)
        for b in labels[i + 1 :]
        if _overlap(a, b)
    ]
    assert clashes == []
    assert dash_duo.get_logs() == []
