"""Fixtures for the browser tests: registries the viewer opens, and a way to read a grid."""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterable
from pathlib import Path

import pytest

from app.state import API_URL_KEY, REGISTRY_KEY

# One Chromium for the whole session: starting and quitting one per test cost about 1.5 s of
# each of the ~150 browser tests. Every test gets a fresh tab, no cookies, the first test's
# window size and an empty console log; a browser that cannot be reset is replaced.


class _SessionChromium:
    """The session's Chromium (started on first use) and its reset between tests."""

    def __init__(self):
        self.driver = None
        self.size = None

    def take(self, make):
        """The driver, started with ``make()`` unless one is running."""
        if self.driver is None:
            self.driver = make()
            self.size = self.driver.get_window_size()
        return self.driver

    def reset(self) -> None:
        """Leave nothing of the last test: one new blank tab, no cookies, the window's first
        size. Quits the browser (the next test starts another) if any of it fails."""
        from selenium.common.exceptions import WebDriverException

        driver = self.driver
        if driver is None:
            return
        try:
            old = driver.window_handles
            driver.switch_to.new_window("tab")
            for handle in old:
                driver.switch_to.window(handle)
                driver.close()
            driver.switch_to.window(driver.window_handles[0])
            driver.execute_cdp_cmd("Network.clearBrowserCookies", {})
            driver.set_window_size(self.size["width"], self.size["height"])
            driver.get_log("browser")  # the console of the last test, read and dropped
        except WebDriverException:
            self.quit()

    def quit(self) -> None:
        from selenium.common.exceptions import WebDriverException

        if self.driver is not None:
            with contextlib.suppress(WebDriverException):
                self.driver.quit()
        self.driver = None


@pytest.fixture(scope="session")
def session_chromium():
    chromium = _SessionChromium()
    yield chromium
    chromium.quit()


class _ThreadServer:
    """What dash.testing's dash_duo serves an app with (``server(app)``, ``server.url``), as
    `dsgrid serve` serves it: werkzeug's server for ``app.server`` in a thread, on 127.0.0.1
    and a port the system picks (two test runs never meet), stopped within 50 ms. dash's own
    ThreadedRunner numbers ports from 58050 and kills its thread, half a second a test."""

    def __init__(self):
        self.server = None
        self.thread = None

    def __call__(self, app, port: int = 0, **_):
        import threading

        from werkzeug.serving import make_server

        app.scripts.config.serve_locally = True
        app.css.config.serve_locally = True
        self.server = make_server("127.0.0.1", port, app.server, threaded=True)
        self.thread = threading.Thread(target=self.server.serve_forever, args=(0.05,))
        self.thread.daemon = True
        self.thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_port}"

    def stop(self) -> None:
        if self.server is not None:
            self.server.shutdown()
            self.thread.join(timeout=10)
            self.server.server_close()


@pytest.fixture
def dash_thread_server():
    """Overrides dash.testing's: see _ThreadServer."""
    server = _ThreadServer()
    yield server
    server.stop()


@pytest.fixture
def dash_duo(request, dash_thread_server, tmp_path, session_chromium):
    """dash.testing's dash_duo on the session's Chromium (see _SessionChromium): the same
    options (tests/conftest.py's pytest_setup_options), downloads saved in the test's own
    folder."""
    from dash.testing.composite import DashComposite

    downloads = tmp_path / "download"
    downloads.mkdir()

    class OnSessionChromium(DashComposite):
        def get_webdriver(self):
            driver = session_chromium.take(super().get_webdriver)
            driver.execute_cdp_cmd(
                "Page.setDownloadBehavior", {"behavior": "allow", "downloadPath": str(downloads)}
            )
            return driver

        def __exit__(self, *exc):
            session_chromium.reset()

    config = request.config
    with OnSessionChromium(
        server=dash_thread_server,
        browser=config.getoption("webdriver"),
        headless=config.getoption("headless"),
        options=config.hook.pytest_setup_options(),
        download_path=str(downloads),
    ) as composite:
        yield composite


@pytest.fixture(params=["local", "remote"])
def viewer(request, tmp_path):
    """The viewer of a registry, with a private read cache per test, in both modes: ``local``
    reads the registry folder in process; ``remote`` runs a second server on the folder (on
    127.0.0.1, a free port, in a thread) and a viewer with no registry of its own that reads
    everything through that server's /api/v1 (``dsgrid serve --api-url``)."""
    from app import create_app
    from tests.api.live_server import serving

    with contextlib.ExitStack() as servers:

        def make(registry: Path):
            if request.param == "local":
                app = create_app(str(registry), cache_dir=str(tmp_path / "webcache"))
                assert app.server.config[REGISTRY_KEY] == str(registry)
                return app
            url = servers.enter_context(serving(registry, cache_dir=str(tmp_path / "apicache")))
            app = create_app(None, api_url=url, cache_dir=str(tmp_path / "webcache"))
            assert app.server.config[REGISTRY_KEY] is None
            assert app.server.config[API_URL_KEY] == url
            return app

        yield make


@pytest.fixture
def local_viewer(tmp_path):
    """The viewer of a registry folder in process only: for tests of what only a local viewer
    does (folders that are no registry, paths in commands)."""
    from app import create_app

    def make(registry: Path):
        return create_app(str(registry), cache_dir=str(tmp_path / "webcache"))

    return make


def grid_cells(dash_duo, grid_id: str, column: str) -> list[str]:
    """The texts of one column's rendered cells in an AG Grid."""
    cells = dash_duo.find_elements(f"#{grid_id} .ag-center-cols-container [col-id='{column}']")
    return [c.text for c in cells]


def choose(dash_duo, dropdown_id: str, label: str) -> None:
    """Pick ``label`` in a Dash 4 dcc.Dropdown: open it, search, click the option."""
    dash_duo.find_element(f"#{dropdown_id}").click()
    search = dash_duo.wait_for_element(".dash-dropdown-content .dash-dropdown-search")
    search.send_keys(label)
    option = dash_duo.wait_for_element(
        f".dash-dropdown-content [role='option'] input[value='{label}']"
    )
    option.find_element("xpath", "./ancestor::label").click()
    # close the popover so it does not cover the page
    dash_duo.find_element("body").send_keys("\ue00c")


def wait_for_cells(dash_duo, grid_id: str, column: str, count: int, timeout: float = 10) -> list:
    """Wait until the grid renders ``count`` cells in ``column``; returns their texts."""
    rows = wait_for_grid_rows(dash_duo, grid_id, [column], count, timeout)
    return [row[column] for row in rows]


# Helpers of the project and dataset page tests (test_project_pages.py, test_dataset_pages.py)


def wait_until(condition: Callable[[], object], timeout: float = 15, message: str = ""):
    """Poll ``condition`` until it returns something truthy, and return that; fail after
    ``timeout`` seconds with ``message`` and the last value seen."""
    import time

    deadline = time.monotonic() + timeout
    while True:
        try:
            value = condition()
        except Exception as exc:  # the page is re-rendering: an element went stale
            value, last = None, exc
        else:
            last = value
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout}s: {message} (last: {last!r})")
        time.sleep(0.1)


def plotly_traces(dash_duo, graph_id: str) -> list[dict] | None:
    """The traces a dcc.Graph has drawn (name, x, y, z as plain lists), or None before the
    first draw. Reads what plotly.js holds in the page, not the figure the server sent."""
    return dash_duo.driver.execute_script(
        """
        const gd = document.querySelector(arguments[0] + ' .js-plotly-plot');
        if (!gd || !gd.data) { return null; }
        const list = a => (a == null ? null : Array.from(a));
        return gd.data.map(t => ({
            name: t.name === undefined ? null : t.name,
            type: t.type || 'scatter',
            x: list(t.x), y: list(t.y),
            z: t.z == null ? null : Array.from(t.z, row => Array.from(row)),
        }));
        """,
        f"#{graph_id}",
    )


def plotly_axis_title(dash_duo, graph_id: str, axis: str = "xaxis") -> str | None:
    return dash_duo.driver.execute_script(
        """
        const gd = document.querySelector(arguments[0] + ' .js-plotly-plot');
        const axis = gd && gd.layout && gd.layout[arguments[1]];
        const title = axis && axis.title;
        return title ? (typeof title === 'string' ? title : title.text) : null;
        """,
        f"#{graph_id}",
        axis,
    )


def scroll_to(dash_duo, element):
    """Scroll ``element`` to the middle of the window at once (Bootstrap makes scrolling smooth,
    and a click during the animation lands elsewhere); returns it."""
    dash_duo.driver.execute_script(
        "arguments[0].scrollIntoView({block: 'center', behavior: 'instant'});", element
    )
    return element


def grid_filter(dash_duo, grid_id: str, column: str, text: str) -> None:
    """Type ``text`` into a column's floating filter of an AG Grid."""
    box = dash_duo.find_element(f"#{grid_id} .ag-floating-filter[col-id='{column}'] input")
    scroll_to(dash_duo, box)
    box.clear()
    box.send_keys(text)


def grid_sort(dash_duo, grid_id: str, column: str, direction: str) -> None:
    """Click a column header until the grid sorts it ``direction`` (asc or desc)."""
    header = f"#{grid_id} .ag-header-cell[col-id='{column}']"
    wanted = {"asc": "ascending", "desc": "descending"}[direction]
    for _ in range(3):
        if dash_duo.find_element(header).get_attribute("aria-sort") == wanted:
            return
        scroll_to(dash_duo, dash_duo.find_element(f"{header} .ag-header-cell-label")).click()
    assert dash_duo.find_element(header).get_attribute("aria-sort") == wanted


def grid_rows(dash_duo, grid_id: str, columns: Iterable[str]) -> list[dict[str, str]]:
    """The rendered rows of an AG Grid, top to bottom, as {column: text}."""
    rows = dash_duo.find_elements(f"#{grid_id} .ag-center-cols-container [role='row']")
    out = []
    for row in sorted(rows, key=lambda r: int(r.get_attribute("row-index") or 0)):
        cells = {c: row.find_elements("css selector", f"[col-id='{c}']") for c in columns}
        if all(cells.values()):
            out.append({c: found[0].text for c, found in cells.items()})
    return out


def grid_status(dash_duo, grid_id: str) -> str:
    """The pagination summary of a paged AG Grid, e.g. '1 to 100 of 35,616'."""
    return dash_duo.find_element(f"#{grid_id} .ag-paging-row-summary-panel").text


def click(dash_duo, selector: str) -> None:
    """Scroll an element (CSS selector, or XPath when it starts with //) into view, click it."""
    if selector.startswith("//"):
        element = dash_duo.driver.find_element("xpath", selector)
    else:
        element = dash_duo.wait_for_element(selector)
    scroll_to(dash_duo, element).click()


def pick(dash_duo, dropdown_id: str, value: str) -> None:
    """``choose`` for a dropdown far down a page: scroll it into view first (instantly)."""
    scroll_to(dash_duo, dash_duo.wait_for_element(f"#{dropdown_id}"))
    choose(dash_duo, dropdown_id, value)


# Helpers of the mapping and home page tests (test_mapping_pages.py, test_home_page.py)


def read_csv(path: Path) -> list[dict[str, str]]:
    """The rows of a CSV file as dicts (the raw input files the tests compare with)."""
    import csv

    with open(path, newline="") as handle:
        return list(csv.DictReader(handle))


def register_all_counties(registry: Path, work: Path) -> dict[str, str]:
    """Register into ``registry`` (a private copy: this writes) every US county and state of
    dsgrid_core's demo data and a county -> state mapping: a mapping large enough for the
    grouped Sankey and the matrix. Returns the ids given and the CSV files written."""
    import json
    import shutil

    from dsgrid_core.registry.registry import Registry

    data = Path(__file__).resolve().parents[2] / "dsgrid_core" / "demo" / "data"
    work.mkdir(parents=True, exist_ok=True)
    counties, states = work / "counties.csv", work / "states.csv"
    shutil.copy(data / "counties.csv", counties)
    shutil.copy(data / "states_and_territories.csv", states)
    mapping = work / "county_to_state.csv"
    with open(mapping, "w") as handle:
        handle.write("from_id,to_id\n")
        for row in read_csv(counties):
            handle.write(f"{row['id']},{row['state']}\n")
    configs = {
        "counties": {
            "type": "geography",
            "name": "All US Counties",
            "description": "Every US county (3,000+ records)",
            "class": "County",
            "file": counties.name,
        },
        "states": {
            "type": "geography",
            "name": "All US States",
            "description": "Every US state and territory",
            "class": "State",
            "file": states.name,
        },
        "mapping": {
            "mapping_type": "many_to_one_aggregation",
            "description": "Every US county to its state",
            "file": mapping.name,
            "from_dimension": {"type": "geography", "name": "All US Counties"},
            "to_dimension": {"type": "geography", "name": "All US States"},
        },
    }
    for name, config in configs.items():
        (work / f"{name}.json5").write_text(json.dumps(config, indent=2))
    with Registry(registry) as writable:
        county_id = writable.register_dimension(work / "counties.json5", "all counties")[0].id
        state_id = writable.register_dimension(work / "states.json5", "all states")[0].id
        mapping_id = writable.register_mapping(work / "mapping.json5", "counties to states")[0].id
    return {
        "counties": county_id,
        "states": state_id,
        "mapping": mapping_id,
        "counties_csv": str(counties),
        "mapping_csv": str(mapping),
    }


def plotly_sankey(dash_duo, graph_id: str) -> dict | None:
    """The Sankey a dcc.Graph has drawn: node labels and links (source and target as indexes
    into labels, value), or None before it is drawn. Read from plotly.js in the page."""
    return dash_duo.driver.execute_script(
        """
        const gd = document.querySelector(arguments[0] + ' .js-plotly-plot');
        if (!gd || !gd.data || !gd.data.length || !gd.querySelector('.sankey-node')) {
            return null;
        }
        const t = gd.data[0];
        const list = a => Array.from(a || []);
        return {labels: list(t.node.label), source: list(t.link.source),
                target: list(t.link.target), value: list(t.link.value)};
        """,
        f"#{graph_id}",
    )


def table_rows(dash_duo, table_id: str) -> list[list[str]]:
    """The body rows of an HTML table as lists of cell texts."""
    rows = dash_duo.find_elements(f"#{table_id} tbody tr")
    return [[cell.text for cell in row.find_elements("css selector", "td, th")] for row in rows]


GRID_ROWS_JS = """
const rows = document.querySelectorAll(arguments[0] + ' .ag-center-cols-container [role="row"]');
const out = [];
for (const row of rows) {
    if (row.querySelector('.ag-loading')) { return null; }
    const cells = {};
    for (const column of arguments[1]) {
        const cell = row.querySelector(`[col-id="${column}"]`);
        if (!cell) { return null; }  // a row still being drawn
        cells[column] = cell.innerText;
    }
    out.push([Number(row.getAttribute('row-index') || 0), cells]);
}
out.sort((a, b) => a[0] - b[0]);
return out.map(r => r[1]);
"""


GRID_STATE_JS = """
const grid = document.querySelector(arguments[0]);
if (!grid) { return 'not in the page'; }
const rows = grid.querySelectorAll('.ag-center-cols-container [role="row"]');
const loading = grid.querySelectorAll('.ag-loading').length;
const box = grid.getBoundingClientRect();
return `${rows.length} row elements, ${loading} loading, ${box.width}x${box.height} px, `
    + `shown: ${grid.offsetParent !== null}`;
"""


def grid_snapshot(dash_duo, grid_id: str, columns: Iterable[str]) -> list[dict[str, str]] | None:
    """The rendered rows of an AG Grid as {column: text}, read in one script (no stale
    elements while the grid redraws); None while a row is half drawn."""
    return dash_duo.driver.execute_script(GRID_ROWS_JS, f"#{grid_id}", list(columns))


def wait_for_grid_rows(
    dash_duo, grid_id: str, columns: Iterable[str], count: int, timeout: float = 15
) -> list[dict[str, str]]:
    """Wait until the grid shows ``count`` loaded rows (the first column filled); returns
    them (an empty list for a grid that must show no rows)."""
    columns = list(columns)
    seen = []

    def ready():
        rows = grid_snapshot(dash_duo, grid_id, columns)
        seen[:] = [rows]
        if rows is None or len(rows) != count:
            return None
        return rows if all(r[columns[0]] for r in rows) else None

    try:
        return wait_until(ready, timeout, f"{count} rows in {grid_id}")
    except AssertionError as exc:
        state = dash_duo.driver.execute_script(GRID_STATE_JS, f"#{grid_id}")
        raise AssertionError(f"{exc}; last rows: {seen[0]!r}; grid: {state}") from None


# Helpers of the query builder tests (test_query_builder.py)


def allow_downloads(dash_duo, folder: Path) -> Path:
    """Let the headless browser save downloads (dcc.Download, Plotly.downloadImage) in
    ``folder`` without asking."""
    folder.mkdir(parents=True, exist_ok=True)
    dash_duo.driver.execute_cdp_cmd(
        "Page.setDownloadBehavior", {"behavior": "allow", "downloadPath": str(folder)}
    )
    return folder


def wait_for_download(folder: Path, name: str, timeout: float = 30) -> Path:
    """Wait until the browser has finished saving ``name`` in ``folder``; returns its path."""
    path = folder / name

    def saved():
        partial = list(folder.glob("*.crdownload"))
        return not partial and path.is_file() and path.stat().st_size > 0

    wait_until(saved, timeout, f"the download {name} in {folder}")
    return path


COMPONENT_PROP_JS = """
const state = window.store && window.store.getState();
const path = state && state.paths && state.paths.strs[arguments[0]];
if (!path) { return null; }
let node = state.layout;
for (const key of path) { node = node && node[key]; }
return node && node.props ? (node.props[arguments[1]] ?? null) : null;
"""


def component_prop(dash_duo, component_id: str, prop: str):
    """A prop of a component (string id) as the Dash renderer holds it in the page now, e.g. the
    value of a dropdown (what a user's choices or a callback set)."""
    return dash_duo.driver.execute_script(COMPONENT_PROP_JS, component_id, prop)


def png_size(data: bytes) -> tuple[int, int]:
    """Width and height of a PNG that decodes: every chunk's CRC checks, and the inflated image
    data holds exactly one filter byte and one row of pixels per line (no PIL needed)."""
    import struct
    import zlib

    assert data[:8] == b"\x89PNG\r\n\x1a\n", data[:8]
    position, chunks = 8, []
    while position < len(data):
        (length,) = struct.unpack(">I", data[position : position + 4])
        kind = data[position + 4 : position + 8]
        body = data[position + 8 : position + 8 + length]
        (crc,) = struct.unpack(">I", data[position + 8 + length : position + 12 + length])
        assert zlib.crc32(kind + body) == crc, f"bad CRC in chunk {kind!r}"
        chunks.append((kind, body))
        position += 12 + length
    assert chunks[0][0] == b"IHDR" and chunks[-1][0] == b"IEND", [k for k, _ in chunks]
    width, height, depth, color = struct.unpack(">IIBB", chunks[0][1][:10])
    channels = {0: 1, 2: 3, 3: 1, 4: 2, 6: 4}[color]
    pixels = zlib.decompress(b"".join(body for kind, body in chunks if kind == b"IDAT"))
    assert len(pixels) == height * (1 + (width * channels * depth + 7) // 8), len(pixels)
    return width, height


# Helpers of the registration wizard tests (test_register_wizards.py)


def upload(dash_duo, upload_id: str, *paths) -> None:
    """Give files to a dcc.Upload as a user choosing them in the file dialog would."""
    field = dash_duo.find_element(f"#{upload_id} input[type=file]")
    field.send_keys("\n".join(str(p) for p in paths))


def registry_content(path: Path) -> tuple[dict, list]:
    """What a registry holds, leaving out its jobs table (a refused or failed registration
    still records its job): every other table's rows, and each data file with its hash."""
    import hashlib
    import sqlite3

    con = sqlite3.connect(f"file:{path / 'registry.db'}?mode=ro", uri=True)
    try:
        tables = [
            row[0]
            for row in con.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name != 'jobs'"
            )
        ]
        rows = {t: sorted(map(repr, con.execute(f'SELECT * FROM "{t}"'))) for t in tables}
    finally:
        con.close()
    files = sorted(
        (str(f.relative_to(path)), hashlib.sha256(f.read_bytes()).hexdigest())
        for f in (path / "data").rglob("*")
        if f.is_file()
    )
    return rows, files


def grid_row_index(dash_duo, grid_id: str, column: str, value: str) -> int:
    """The row-index of the AG Grid row whose ``column`` shows ``value``."""
    found = dash_duo.driver.execute_script(
        """
        const cells = document.querySelectorAll(
            arguments[0] + ' .ag-center-cols-container [col-id="' + arguments[1] + '"]');
        for (const cell of cells) {
            if (cell.innerText.trim() === arguments[2]) {
                return cell.closest('[role="row"]').getAttribute('row-index');
            }
        }
        return null;
        """,
        f"#{grid_id}",
        column,
        value,
    )
    assert found is not None, f"no row with {column} = {value} in {grid_id}"
    return int(found)


def edit_cell(dash_duo, grid_id: str, row_index: int, column: str, text: str) -> None:
    """Type ``text`` into one cell of an editable AG Grid (single-click editing) and press
    Enter."""
    from selenium.webdriver.common.keys import Keys

    cell = dash_duo.find_element(
        f"#{grid_id} .ag-center-cols-container [row-index='{row_index}'] [col-id='{column}']"
    )
    scroll_to(dash_duo, cell).click()
    editor = dash_duo.wait_for_element(f"#{grid_id} .ag-cell-inline-editing input")
    editor.send_keys(Keys.CONTROL, "a")
    editor.send_keys(Keys.DELETE)
    editor.send_keys(str(text) + Keys.ENTER)


def type_into(dash_duo, input_id: str, text: str) -> None:
    """Replace an input's text and leave the field (debounced inputs send on blur)."""
    from selenium.webdriver.common.keys import Keys

    box = scroll_to(dash_duo, dash_duo.find_element(f"#{input_id}"))
    box.send_keys(Keys.CONTROL, "a")
    box.send_keys(Keys.DELETE)
    box.send_keys(str(text) + Keys.TAB)
