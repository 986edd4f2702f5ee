"""Screenshots of every page type of the viewer, for the docs and for looking at the pages.

    python scripts/screenshots.py                    # a small demo registry built in a temp folder
    python scripts/screenshots.py --registry PATH    # an existing registry
    python scripts/screenshots.py --out docs/screenshots --width 1400

The viewer runs in this process on 127.0.0.1 (an ephemeral port) and Debian's headless Chromium
opens each page, waits until it is drawn (no callback running, grids filled, plots and graphs
drawn, the page height settled) and saves a full-page PNG. A page whose route is not in the app
(a page not written yet) is skipped with a message.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import quote

REPO = Path(__file__).resolve().parent.parent
CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"
CHROMIUM_ARGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
)
MAX_HEIGHT = 6000  # px; longer pages are cut

# True once nothing is loading, every grid shows rows (or says it has none), every plot and
# every dependency graph is drawn.
DRAWN = """
const content = document.querySelector('#_pages_content');
if (!content || !content.children.length) { return 'no page content'; }
if (document.querySelector('[data-dash-is-loading="true"]')) { return 'a callback is running'; }
for (const grid of document.querySelectorAll('.ag-root-wrapper')) {
    if (grid.querySelector('.ag-loading, .ag-skeleton-container')) { return 'grid loading'; }
    const rows = grid.querySelectorAll('.ag-center-cols-container [role="row"]').length;
    const empty = grid.querySelector('.ag-overlay-no-rows-wrapper');
    if (!rows && !empty) { return 'grid empty'; }
}
for (const graph of document.querySelectorAll('.dash-graph')) {
    if (graph.offsetParent !== null && !graph.querySelector('.main-svg')) { return 'plot'; }
}
for (const cy of document.querySelectorAll('canvas[data-id="layer2-node"]')) {
    if (!cy.width) { return 'graph'; }
}
return 'ok';
"""


def build_demo(folder: Path) -> Path:
    registry = folder / "registry"
    print(f"building a small demo registry in {registry} ...", flush=True)
    from dsgrid_core.cli.main import cli

    # `dsgrid demo PATH`, run in this process
    with contextlib.redirect_stdout(sys.stderr):  # keep stdout for the results
        cli.main(["demo", str(registry), "--scale", "small"], standalone_mode=False)
    return registry


def pick_pages(registry_path: Path) -> list[tuple[str, str | None, str]]:
    """(file name, path or None when the registry has no such component, path template)."""
    from dsgrid_core.registry.registry import Registry

    with Registry(registry_path, read_only=True) as registry:
        projects = [s.id for s in registry.list("project")]
        datasets = [s.id for s in registry.list("dataset")]
        dimensions = registry.list("dimension")
        mappings = registry.list("dimension_mapping")
        geography = sorted(
            (d for d in dimensions if d.type == "geography"),
            key=lambda d: -len(registry.records(d.id)),
        )
        dimension = (geography or dimensions or [None])[0]

        def interest(summary):
            mapping_type = registry.show("dimension_mapping", summary.id).config.get(
                "mapping_type", ""
            )
            return ("many_to_many" in mapping_type, "disaggregation" in mapping_type)

        mapping = max(mappings, key=interest) if mappings else None
        scenarios = next(
            (
                [r["id"] for r in registry.records(d.id)]
                for d in dimensions
                if d.type == "scenario" and len(registry.records(d.id)) >= 2
            ),
            [],
        )
    compare = None
    if projects and len(scenarios) >= 2:
        compare = (
            f"/compare?project={quote(projects[0])}&dimension=scenario"
            f"&base={quote(scenarios[0])}&other={quote(scenarios[1])}"
        )
    search = "Kent" if dimension is not None else "a"
    return [
        ("home", "/", "/"),
        ("home_search", f"/?q={quote(search)}", "/"),
        ("projects", "/projects", "/projects"),
        ("project", f"/projects/{projects[0]}" if projects else None, "/projects/<project_id>"),
        ("datasets", "/datasets", "/datasets"),
        ("dataset", f"/datasets/{datasets[0]}" if datasets else None, "/datasets/<dataset_id>"),
        ("dimensions", "/dimensions", "/dimensions"),
        (
            "dimension",
            f"/dimensions/{dimension.id}" if dimension else None,
            "/dimensions/<dimension_id>",
        ),
        ("mappings", "/mappings", "/mappings"),
        ("mapping", f"/mappings/{mapping.id}" if mapping else None, "/mappings/<mapping_id>"),
        ("compare", compare, "/compare"),
    ]


def serve(app) -> tuple[str, object]:
    """The app's server on 127.0.0.1 in a thread; returns (base URL, server)."""
    import logging

    from werkzeug.serving import make_server

    logging.getLogger("werkzeug").setLevel(logging.ERROR)  # no line per request

    server = make_server("127.0.0.1", 0, app.server, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return f"http://127.0.0.1:{server.server_port}", server


def browser(width: int):
    from selenium import webdriver
    from selenium.webdriver.chrome.options import Options
    from selenium.webdriver.chrome.service import Service

    options = Options()
    options.binary_location = CHROMIUM
    for arg in CHROMIUM_ARGS:
        options.add_argument(arg)
    options.add_argument(f"--window-size={width},900")
    return webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)


def wait_drawn(driver, timeout: float = 60) -> str:
    """Poll until the page is drawn and its height has stopped changing; returns the last
    state ('ok' or what was still missing at the timeout)."""
    deadline = time.monotonic() + timeout
    last_height, steady = -1, 0
    status = ""
    while time.monotonic() < deadline:
        status = driver.execute_script(DRAWN)
        height = driver.execute_script("return document.documentElement.scrollHeight")
        steady = steady + 1 if status == "ok" and height == last_height else 0
        last_height = height
        if steady >= 3:
            return "ok"
        time.sleep(0.25)
    return status


def viewport(driver, width: int, height: int) -> None:
    """Resize the page's viewport (a headless window cannot grow past the screen's size)."""
    driver.execute_cdp_cmd(
        "Emulation.setDeviceMetricsOverride",
        {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": False},
    )


def shoot(driver, url: str, out: Path, width: int) -> str:
    viewport(driver, width, 900)
    driver.get(url)
    status = wait_drawn(driver)
    height = min(driver.execute_script("return document.documentElement.scrollHeight"), MAX_HEIGHT)
    viewport(driver, width, height)
    if status == "ok":
        status = wait_drawn(driver, timeout=20)  # plots resize to the new viewport
    driver.save_screenshot(str(out))
    return status


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--registry", type=Path, help="registry folder (default: a new demo)")
    parser.add_argument("--out", type=Path, default=REPO / "docs" / "screenshots")
    parser.add_argument("--width", type=int, default=1400)
    args = parser.parse_args(argv)

    sys.path.insert(0, str(REPO))
    with tempfile.TemporaryDirectory(prefix="dsgrid-screenshots-") as tmp:
        registry = args.registry or build_demo(Path(tmp))
        from dash import page_registry

        from app import create_app

        app = create_app(str(registry), cache_dir=os.path.join(tmp, "webcache"))
        templates = {p.get("path_template") or p["path"] for p in page_registry.values()}
        base, server = serve(app)
        args.out.mkdir(parents=True, exist_ok=True)
        driver = browser(args.width)
        failures = 0
        try:
            for name, path, template in pick_pages(registry):
                if template not in templates:
                    print(f"skip {name}: the app has no page {template} yet")
                    continue
                if path is None:
                    print(f"skip {name}: the registry has nothing to show on {template}")
                    continue
                target = args.out / f"{name}.png"
                status = shoot(driver, base + path, target, args.width)
                logs = [
                    entry for entry in driver.get_log("browser") if entry.get("level") == "SEVERE"
                ]
                note = "" if status == "ok" else f" (not fully drawn: {status})"
                print(f"{name}: {path} -> {target}{note}")
                for entry in logs:
                    print(f"  browser {entry['level']}: {entry['message'][:300]}")
                failures += status != "ok" or bool(logs)
        finally:
            driver.quit()
            server.shutdown()
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
