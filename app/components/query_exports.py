"""Exports of the query builder: a chart as a PNG made on the server (kaleido driving Debian's
Chromium) or as a standalone HTML file, and the query itself as JSON5, as a `dsgrid query run`
command and as a Python snippet. (The result's CSV and Parquet are the viewer's `result_file`.)

Everything here works offline: the map files plotly.js would fetch from its CDN are read from
``app/assets/maps`` and handed to the page that draws the chart (``window.PlotlyGeoAssets``),
and the counties GeoJSON, a URL in the figure the browser draws, is put inline."""

from __future__ import annotations

import copy
import functools
import hashlib
import importlib.util
import json
import os
import shutil
from html import escape
from pathlib import Path
from typing import Any

import plotly.graph_objects as go

from app.components.chart_theme import zone_label
from dsgrid_core.errors import InputError
from dsgrid_core.private_dirs import private_root
from dsgrid_core.query.builder import cli_command, python_snippet, query_json5

ASSETS = Path(__file__).resolve().parent.parent / "assets"
MAPS = ASSETS / "maps"
TOPOJSON = ("usa_110m", "north-america_110m")  # what the state and county maps need
BROWSERS = ("/usr/bin/chromium", "chromium", "chromium-browser", "google-chrome")
PNG_LIMITS = (100, 4000)  # smallest and largest width or height of a server-side PNG
TEXT_FILES = {"json5": "query.json5", "command": "query.sh", "python": "query.py"}
TEXT_LABELS = {"json5": "JSON5", "command": "dsgrid command", "python": "Python"}


# --- the query as text -------------------------------------------------------------------------


def query_texts(query: dict[str, Any], registry: str | None) -> dict[str, str]:
    """The query as JSON5, as the `dsgrid query run` command that runs that file, and as a
    Python snippet (keys of TEXT_FILES)."""
    return {
        "json5": query_json5(query),
        "command": cli_command(TEXT_FILES["json5"], registry, "query_output") + "\n",
        "python": python_snippet(query, registry),
    }


# --- what an exported chart says about its query ----------------------------------------------


def caption(result: dict, summed: str = "") -> str:
    """The query behind a chart in a few lines: project and datasets, grouping, filters,
    aggregation, unit and time (``result``: the page's result info); ``summed``: what it adds
    up that are alternatives (query_results.alternatives_summed)."""
    group = ", ".join(f"{t} ({n})" for t, n in sorted((result.get("group_by") or {}).items()))
    filters = [
        f"{t} ({f['dimension_name']}) in {', '.join(f['ids'])}"
        for t, f in sorted((result.get("filters") or {}).items())
    ]
    filters += [
        f"{t} subset {', '.join(n)}" for t, n in sorted((result.get("subsets") or {}).items())
    ]
    time = result.get("time") or "none"
    unit = result.get("unit") or "each record's own"
    lines = [
        f"Project {result.get('project')}; datasets {', '.join(result.get('datasets') or [])}",
        f"Grouped by {group or 'nothing'}; filters: {'; '.join(filters) or 'none'}",
        f"{result.get('function') or 'sum'} of value, unit {unit}"
        + (f"; time by {time}, {zone_label(result.get('time_zone'))}" if time != "none" else ""),
    ]
    if summed:
        lines.append(summed)
    return "<br>".join(escape(line) for line in lines)


def with_caption(figure: go.Figure, text: str) -> go.Figure:
    """A copy with ``text`` under the title (after its subtitle), the top margin grown to fit:
    the exported file says what query it shows."""
    figure = go.Figure(figure)
    subtitle = figure.layout.title.subtitle.text or ""
    lines = text.count("<br>") + 1 + (subtitle.count("<br>") + 1 if subtitle else 0)
    small = f"<span style='font-size:11px;color:#555555'>{text}</span>"
    figure.update_layout(
        title={
            "subtitle": {"text": f"{subtitle}<br>{small}" if subtitle else small},
            "yref": "container",
            "y": 0.99,
            "yanchor": "top",
        },
        margin={"t": 48 + 16 * lines},
    )
    return figure


# --- figures offline -----------------------------------------------------------------------------


def _uses_geo(figure: go.Figure) -> bool:
    return any(getattr(t, "type", None) in ("choropleth", "scattergeo") for t in figure.data)


@functools.cache
def _geojson(name: str) -> dict:
    return json.loads((MAPS / name).read_text())


def offline_figure(figure: go.Figure) -> go.Figure:
    """A copy whose GeoJSON is inline (the page shows it from a URL of the app's assets)."""
    figure = go.Figure(copy.deepcopy(figure.to_dict()))
    for trace in figure.data:
        geojson = getattr(trace, "geojson", None) if trace.type == "choropleth" else None
        if isinstance(geojson, str):
            trace.geojson = _geojson(Path(geojson).name)
    return figure


def geo_assets_script() -> str:
    """JavaScript giving plotly.js the topojson it would fetch from its CDN."""
    topojson = {name: json.loads((MAPS / f"{name}.json").read_text()) for name in TOPOJSON}
    return (
        "window.PlotlyGeoAssets = Object.assign(window.PlotlyGeoAssets || {}, "
        f"{{topojson: {json.dumps(topojson, separators=(',', ':'))}}});\n"
    )


def figure_html(figure: go.Figure, title: str = "dsgrid query") -> str:
    """A standalone HTML page: plotly.js inline, maps inline, nothing fetched from anywhere."""
    page = offline_figure(figure).to_html(
        include_plotlyjs=True,
        full_html=True,
        config={"displaylogo": False},
        default_width="100%",
        default_height=f"{figure.layout.height or 460}px",
    )
    page = page.replace("<head>", f"<head><title>{title}</title>", 1)
    if _uses_geo(figure):
        page = page.replace("<body>", f"<body><script>{geo_assets_script()}</script>", 1)
    return page


# --- server-side PNG ----------------------------------------------------------------------------


def browser_path() -> str | None:
    """The Chrome kaleido drives: BROWSER_PATH (read by choreographer) or Debian's chromium."""
    chosen = os.environ.get("BROWSER_PATH")
    if chosen:
        return chosen if Path(chosen).exists() else None
    for name in BROWSERS:
        found = shutil.which(name) if not name.startswith("/") else name
        if found and Path(found).exists():
            return found
    return None


def png_available() -> tuple[bool, str]:
    """Whether the server can draw PNGs, and why not."""
    if importlib.util.find_spec("kaleido") is None:
        return False, (
            "PNG from the server needs the kaleido package on the server (pip install kaleido). "
            "The camera button of the chart saves a PNG from your browser."
        )
    if browser_path() is None:
        return False, (
            "PNG from the server needs Chromium on the server (apt-get install chromium, or set "
            "BROWSER_PATH). The camera button of the chart saves a PNG from your browser."
        )
    return True, ""


@functools.cache
def _geo_script_file() -> Path:
    """The geo assets as a script file the kaleido page loads (written once per process).

    Kept in this user's private folder, not under a fixed name in the temporary directory:
    there another user could plant a script that Chromium would run in every PNG export, or
    a symbolic link that the write would follow."""
    text = geo_assets_script()
    tag = hashlib.sha256(text.encode()).hexdigest()[:12]
    path = private_root() / f"plotly-geo-{tag}.js"
    if not path.exists():
        partial = path.with_suffix(f".{os.getpid()}.tmp")
        partial.write_text(text)
        partial.replace(path)
    return path


def check_size(width, height) -> tuple[int, int]:
    low, high = PNG_LIMITS
    try:
        width, height = int(width), int(height)
    except (TypeError, ValueError):
        raise InputError("give the PNG's width and height in pixels.") from None
    if not (low <= width <= high and low <= height <= high):
        raise InputError(f"the PNG's width and height must be between {low} and {high} pixels.")
    return width, height


def figure_png(figure: go.Figure, width: int, height: int) -> bytes:
    """The chart as a PNG of ``width`` x ``height`` pixels, drawn by kaleido in Chromium, with
    the plotly.js of the installed plotly, no MathJax and the vendored maps (nothing fetched)."""
    import kaleido  # late: kaleido (optional)

    width, height = check_size(width, height)
    available, why = png_available()
    if not available:
        raise InputError(why)
    page = kaleido.PageGenerator(mathjax=False, others=[_geo_script_file()])
    return kaleido.calc_fig_sync(
        offline_figure(figure),
        opts={"format": "png", "width": width, "height": height, "scale": 1},
        kopts={"page_generator": page, "path": browser_path()},
    )
