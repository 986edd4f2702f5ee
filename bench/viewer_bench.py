"""Server time of the web viewer's pages and grids, in process (Flask test client), cold and warm.

    python bench/viewer_bench.py                     # builds a small demo registry in a temp folder
    python bench/viewer_bench.py --registry PATH     # starts from a copy of an existing registry
    python bench/viewer_bench.py --runs 7 --no-write

Into a copy of the registry it registers every US county (3,108 records, from the counties
dsgrid_core's demo ships), every state, and a county -> state mapping, so that a dimension page,
a mapping page and their grids are measured at a realistic size.

What is timed, wall clock, median of --runs:
- a page: the request Dash makes to render it, a POST to ``/_dash-update-component`` for the
  page router's callback (it calls the page's ``layout(...)`` and serializes the result), as a
  browser sends it; "cold" clears the read cache before each run, "warm" answers from it.
  ``layout(...)`` alone and the GET of the page's URL (the HTML shell) are timed as well.
- a grid page: the records grid's ``getRowsRequest`` callback for 100 rows of the 3,108-record
  dimension and mapping, plain, filtered, sorted, and both.
Modules are imported and every page rendered once before measuring, so "cold" is a cold read
cache in a running server, not a cold interpreter.

Prints a Markdown table and writes it into docs/benchmarks.md under "## Viewer" (that section
only; the others are left as they are).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import platform
import shutil
import statistics
import sys
import tempfile
import textwrap
import time
from pathlib import Path
from urllib.parse import parse_qsl, urlparse

REPO = Path(__file__).resolve().parent.parent
DOCS = REPO / "docs" / "benchmarks.md"
SECTION = "## Viewer"
PAGE_TARGET_MS = 500
GRID_TARGET_MS = 200


def build_demo(folder: Path) -> Path:
    from dsgrid_core.cli.main import cli

    registry = folder / "demo"
    print(f"building a small demo registry in {registry} ...", file=sys.stderr, flush=True)
    with contextlib.redirect_stdout(sys.stderr):  # keep stdout for the results
        cli.main(["demo", str(registry), "--scale", "small"], standalone_mode=False)
    return registry


def register_counties(registry: Path, work: Path) -> dict[str, str]:
    """Every US county and state, and the county -> state mapping, registered in ``registry``."""
    import csv

    from dsgrid_core.registry.registry import Registry

    data = REPO / "dsgrid_core" / "demo" / "data"
    work.mkdir(parents=True, exist_ok=True)
    shutil.copy(data / "counties.csv", work / "counties.csv")
    shutil.copy(data / "states_and_territories.csv", work / "states.csv")
    with open(work / "counties.csv", newline="") as src, open(work / "mapping.csv", "w") as out:
        out.write("from_id,to_id\n")
        for row in csv.DictReader(src):
            out.write(f"{row['id']},{row['state']}\n")
    configs = {
        "counties": {
            "type": "geography",
            "name": "Bench All US Counties",
            "description": "Every US county, for the viewer benchmark",
            "class": "County",
            "file": "counties.csv",
        },
        "states": {
            "type": "geography",
            "name": "Bench All US States",
            "description": "Every US state and territory, for the viewer benchmark",
            "class": "State",
            "file": "states.csv",
        },
        "mapping": {
            "mapping_type": "many_to_one_aggregation",
            "description": "Every US county to its state, for the viewer benchmark",
            "file": "mapping.csv",
            "from_dimension": {"type": "geography", "name": "Bench All US Counties"},
            "to_dimension": {"type": "geography", "name": "Bench All US States"},
        },
    }
    for name, config in configs.items():
        (work / f"{name}.json5").write_text(json.dumps(config, indent=2))
    with Registry(registry) as writable:
        counties = writable.register_dimension(work / "counties.json5", "bench")[0].id
        states = writable.register_dimension(work / "states.json5", "bench")[0].id
        mapping = writable.register_mapping(work / "mapping.json5", "bench")[0].id
        records = len(writable.records(counties))
    return {"counties": counties, "states": states, "mapping": mapping, "records": str(records)}


def pages(registry: Path, added: dict[str, str]) -> list[tuple[str, str]]:
    """(label, URL) of every page type, with components of the registry."""
    from dsgrid_core.registry.registry import Registry

    with Registry(registry, read_only=True) as reg:
        project = next(iter(reg.list("project")), None)
        dataset = next(iter(reg.list("dataset")), None)
        ours = {added["counties"], added["mapping"], added["states"]}
        demo_dims = sorted(
            (d for d in reg.list("dimension", type="geography") if d.id not in ours),
            key=lambda d: -len(reg.records(d.id)),
        )
        demo_maps = [m for m in reg.list("dimension_mapping", type="geography") if m.id not in ours]
    out = [("home", "/"), ("home, search 'Kent'", "/?q=Kent"), ("projects", "/projects")]
    if project:
        out.append((f"project {project.id}", f"/projects/{project.id}"))
    out.append(("datasets", "/datasets"))
    if dataset:
        out.append((f"dataset {dataset.id}", f"/datasets/{dataset.id}"))
    out.append(("dimensions", "/dimensions"))
    if demo_dims:
        out.append((f"dimension {demo_dims[0].id}", f"/dimensions/{demo_dims[0].id}"))
    out.append(
        (
            f"dimension {added['counties']} ({added['records']} records)",
            f"/dimensions/{added['counties']}",
        )
    )
    out.append(("mappings", "/mappings"))
    if demo_maps:
        out.append((f"mapping {demo_maps[0].id}", f"/mappings/{demo_maps[0].id}"))
    out.append(
        (f"mapping {added['mapping']} ({added['records']} rows)", f"/mappings/{added['mapping']}")
    )
    return out


class Bench:
    def __init__(self, registry: Path, cache_dir: Path):
        from app import create_app

        self.app = create_app(str(registry), cache_dir=str(cache_dir))
        self.client = self.app.server.test_client()
        assert self.client.get("/").status_code == 200  # registers the page router
        self.deps = self.client.get("/_dash-dependencies").get_json()
        self.router_output = next(d["output"] for d in self.deps if "_pages_content" in d["output"])

    def clear_cache(self) -> None:
        for cache in self.app.server.extensions["cache"].values():
            cache.clear()

    def page_module(self, url: str):
        """The registered page for a URL and its path variables, or (None, {})."""
        import dash._pages as pages_module

        path = urlparse(url).path
        page, variables = pages_module._path_to_page(path.strip("/"))  # Dash's router look-up
        return (page or None), variables or {}

    def route_exists(self, url: str) -> bool:
        return self.page_module(url)[0] is not None

    def render(self, url: str) -> None:
        """The router callback a browser sends to show ``url``."""
        parsed = urlparse(url)
        body = {
            "output": self.router_output,
            "outputs": [
                {"id": "_pages_content", "property": "children"},
                {"id": "_pages_store", "property": "data"},
            ],
            "inputs": [
                {"id": "_pages_location", "property": "pathname", "value": parsed.path},
                {
                    "id": "_pages_location",
                    "property": "search",
                    "value": f"?{parsed.query}" if parsed.query else "",
                },
            ],
            "changedPropIds": ["_pages_location.pathname"],
            "state": [],
        }
        response = self.client.post("/_dash-update-component", json=body)
        assert response.status_code == 200, (url, response.status_code, response.data[:300])
        if b'"page-error"' in response.data:
            raise RuntimeError(f"{url} rendered its error state")

    def layout(self, url: str) -> None:
        page, variables = self.page_module(url)
        query = dict(parse_qsl(urlparse(url).query))
        with self.app.server.test_request_context(url):
            page["layout"](**variables, **query)

    def get(self, url: str) -> None:
        assert self.client.get(url).status_code == 200

    def grid(self, grid_id: str, request: dict, state: dict | None = None) -> int:
        """A grid's rows callback, as the browser sends it (``state``: values of its State
        props by "id.property"); returns the number of rows answered."""
        answer = self.call(f"{grid_id}.getRowsResponse", request, state)
        return len(answer[grid_id]["getRowsResponse"]["rowData"])

    def call(self, output: str, value, state: dict | None = None) -> dict:
        """The callback whose outputs include ``output`` ("id.property"), with ``value`` for
        its input; returns Dash's answer by component id."""
        dep = next(d for d in self.deps if output in d["output"])
        outputs = [
            {"id": part.rsplit(".", 1)[0], "property": part.rsplit(".", 1)[1]}
            for part in dep["output"].strip(".").split("...")
        ]
        state = state or {}
        body = {
            "output": dep["output"],
            "outputs": outputs if len(outputs) > 1 else outputs[0],
            "inputs": [{**i, "value": value} for i in dep["inputs"]],
            "changedPropIds": [f"{dep['inputs'][0]['id']}.{dep['inputs'][0]['property']}"],
            "state": [
                {**s, "value": state.get(f"{s['id']}.{s['property']}")} for s in dep["state"]
            ],
        }
        response = self.client.post("/_dash-update-component", json=body)
        assert response.status_code == 200, response.data[:300]
        return response.get_json()["response"]

    def timed(self, action, runs: int, cold: bool) -> float:
        times = []
        for _ in range(runs):
            if cold:
                self.clear_cache()
            start = time.perf_counter()
            action()
            times.append((time.perf_counter() - start) * 1000)
        return statistics.median(times)


def grid_requests() -> list[tuple[str, dict]]:
    base = {"startRow": 0, "endRow": 100, "filterModel": {}, "sortModel": []}
    name_filter = {"name": {"filterType": "text", "type": "contains", "filter": "wood"}}
    sort = [{"colId": "state", "sort": "desc"}]
    return [
        ("100 rows", base),
        ("100 rows, filter name contains 'wood'", {**base, "filterModel": name_filter}),
        ("100 rows, sort by state desc", {**base, "sortModel": sort}),
        ("100 rows, filter and sort", {**base, "filterModel": name_filter, "sortModel": sort}),
    ]


def mapping_requests() -> list[tuple[str, dict]]:
    base = {"startRow": 0, "endRow": 100, "filterModel": {}, "sortModel": []}
    state = {"to_id": {"filterType": "text", "type": "equals", "filter": "TX"}}
    sort = [{"colId": "from_id", "sort": "desc"}]
    return [
        ("100 rows", base),
        (
            "100 rows, filter to_id = TX, sort from_id desc",
            {**base, "filterModel": state, "sortModel": sort},
        ),
    ]


def run(registry_source: Path | None, runs: int) -> tuple[str, bool]:
    with tempfile.TemporaryDirectory(prefix="dsgrid-viewer-bench-") as tmp:
        tmp = Path(tmp)
        source = registry_source or build_demo(tmp)
        registry = tmp / "registry"
        shutil.copytree(source, registry)  # the copy gets the extra dimension, not the source
        added = register_counties(registry, tmp / "inputs")
        bench = Bench(registry, tmp / "webcache")
        rows: list[tuple[str, float, float, int, float, float, float]] = []
        skipped = []
        targets = [(label, url) for label, url in pages(registry, added)]
        present = []
        for label, url in targets:
            if bench.route_exists(url):
                present.append((label, url))
            else:
                skipped.append(url)
        first = {}
        for _label, url in present:  # imports and first-use costs out of the way, timed
            first[url] = bench.timed(lambda u=url: bench.render(u), 1, cold=True)
        for label, url in present:
            cold = bench.timed(lambda u=url: bench.render(u), runs, cold=True)
            warm = bench.timed(lambda u=url: bench.render(u), runs, cold=False)
            layout = bench.timed(lambda u=url: bench.layout(u), runs, cold=True)
            shell = bench.timed(lambda u=url: bench.get(u), runs, cold=False)
            rows.append((f"page: {label}", cold, warm, PAGE_TARGET_MS, first[url], layout, shell))
        store = "component-store.data"
        grids = [
            (
                "dimension-records-grid",
                f"dimension {added['counties']}",
                {store: {"kind": "dimension", "id": added["counties"], "version": "1.0.0"}},
                grid_requests(),
            ),
            (
                "mapping-records-grid",
                f"mapping {added['mapping']}",
                {store: {"kind": "dimension_mapping", "id": added["mapping"], "version": "1.0.0"}},
                mapping_requests(),
            ),
        ]
        plain = {"startRow": 0, "endRow": 100, "filterModel": {}, "sortModel": []}
        for key in ("projects", "datasets", "dimensions", "mappings"):
            grid_id = f"{key}-list-grid"
            if any(f"{grid_id}.getRowsResponse" in d["output"] for d in bench.deps):
                grids.append((grid_id, f"{key} list", {}, [("100 rows", plain)]))
        # the large mapping's flows and matrix views (a callback of the mapping page)
        view_state = {
            store: {"kind": "dimension_mapping", "id": added["mapping"], "version": "1.0.0"}
        }
        for tab in ("flows", "matrix"):

            def view(t=tab):
                answer = bench.call("mapping-view-content.children", t, view_state)
                assert b"page-error" not in json.dumps(answer).encode()

            once = bench.timed(view, 1, cold=True)
            cold = bench.timed(view, runs, cold=True)
            warm = bench.timed(view, runs, cold=False)
            nan = float("nan")
            what = f"page part: mapping {added['mapping']}, {tab} view"
            rows.append((what, cold, warm, PAGE_TARGET_MS, once, nan, nan))
        for grid_id, what, state, requests in grids:
            for label, request in requests:

                def ask(g=grid_id, r=request, s=state):
                    assert bench.grid(g, r, s) > 0

                once = bench.timed(ask, 1, cold=True)
                cold = bench.timed(ask, runs, cold=True)
                warm = bench.timed(ask, runs, cold=False)
                nan = float("nan")
                rows.append((f"grid: {what}, {label}", cold, warm, GRID_TARGET_MS, once, nan, nan))
    return report(rows, skipped, runs, registry_source)


def report(rows, skipped, runs: int, source: Path | None) -> tuple[str, bool]:
    def ms(value: float) -> str:
        return "" if value != value else f"{value:.0f}"  # NaN: not measured

    lines = [
        "| page or grid request | cold ms | warm ms | target ms | met | first in process ms "
        "| layout() cold ms | GET shell ms |",
        "|---|---:|---:|---:|---|---:|---:|---:|",
    ]
    met_all = True
    for label, cold, warm, target, once, layout, shell in rows:
        met = cold <= target
        met_all &= met
        lines.append(
            f"| {label} | {ms(cold)} | {ms(warm)} | {target} | {'yes' if met else 'NO'} "
            f"| {ms(once)} | {ms(layout)} | {ms(shell)} |"
        )
    notes = []
    if skipped:
        notes.append("Not measured (no such page in the app yet): " + ", ".join(skipped) + ".")
    table = "\n".join(lines)
    head = (
        f"`python bench/viewer_bench.py{' --registry ' + str(source) if source else ''} "
        f"--runs {runs}` (median of {runs}; {platform.python_implementation()} "
        f"{platform.python_version()}, {os.cpu_count()} cores; a small demo registry plus "
        "every US county and state and a county -> state mapping). Server time in process "
        "through the Flask test client. cold: the read cache cleared before each run (modules "
        "already imported); warm: answered from the cache; first in process: the first request "
        "for that page after start (imports, first use of DuckDB and plotly). A page is the "
        "router callback a browser sends (layout + JSON); layout() is the page function alone; "
        "GET shell is the HTML of the URL. Callbacks a page fires once shown are not in its "
        "row: the records grids and the large mapping's views are measured on their own rows; "
        "the charts of the project and dataset pages are not measured here."
    )
    head = textwrap.fill(head, width=95, break_long_words=False, break_on_hyphens=False)
    notes = [textwrap.fill(n, width=95, break_long_words=False) for n in notes]
    return "\n\n".join([head, table, *notes]), met_all


def write_section(text: str, path: Path = DOCS) -> None:
    """Replace the '## Viewer' section of the benchmarks document, or append it."""
    current = path.read_text() if path.exists() else "# Benchmarks\n"
    block = f"{SECTION}\n\n{text}\n"
    start = current.find(f"\n{SECTION}\n")
    if start == -1:
        path.write_text(current.rstrip("\n") + "\n\n" + block)
        return
    end = current.find("\n## ", start + 1)
    tail = current[end:] if end != -1 else ""
    path.write_text(current[: start + 1] + block + tail)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--registry", type=Path, help="registry to copy (default: a new demo)")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--no-write", action="store_true", help="do not update the docs")
    args = parser.parse_args(argv)
    sys.path.insert(0, str(REPO))
    text, met = run(args.registry, args.runs)
    print(text)
    if not args.no_write:
        write_section(text)
        print(f"\nwritten to {DOCS.relative_to(REPO)} ({SECTION})", file=sys.stderr)
    return 0 if met else 1


if __name__ == "__main__":
    sys.exit(main())
