"""Accessibility and phones (issue 17, finding 9), checked on every page in real Chromium:

- axe-core (vendored in tests/browser/vendor/, injected into the page) finds no violation of
  impact serious or critical;
- one h1 and one <main>; the first thing Tab reaches is the "Skip to content" link, visible
  while focused, and following it puts the focus in the <main>; nothing Tab reaches is hidden;
- at 390 px (a phone, emulated with touch and device pixels) nothing scrolls sideways: the page
  is no wider than the screen;
- with the system in dark mode Bootstrap's theme is dark, and charts stay readable;
- a Dash 4 dropdown is one Tab stop, named by its label, and works from the keyboard.

Local viewer only: these are checks of the pages' markup, the same whichever viewer answers.
"""

from __future__ import annotations

import sqlite3
from contextlib import closing
from pathlib import Path

import pytest
from conftest import component_prop, wait_until
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.keys import Keys

from app import ids
from dsgrid_core.config.dimension import NON_TIME_TYPES

pytestmark = pytest.mark.browser

AXE = Path(__file__).resolve().parent / "vendor" / "axe.min.js"
PHONE_WIDTH = 390


def _first_id(registry: Path, sql: str) -> str:
    with closing(sqlite3.connect(f"file:{registry / 'registry.db'}?mode=ro", uri=True)) as con:
        row = con.execute(sql).fetchone()
    assert row, sql
    return row[0]


def _dimension(registry: Path) -> str:
    return _first_id(registry, "SELECT id FROM components WHERE kind = 'dimension' ORDER BY id")


def _mapping(registry: Path) -> str:
    return _first_id(
        registry, "SELECT id FROM components WHERE kind = 'dimension_mapping' ORDER BY id"
    )


# Every page of the viewer: (name, path or a function of the registry giving the path).
PAGES = {
    "home": "/",
    "projects": "/projects",
    "project": "/projects/test_efs",
    "datasets": "/datasets",
    "dataset": "/datasets/test_efs_comstock",
    "dimensions": "/dimensions",
    "dimension": lambda registry: f"/dimensions/{_dimension(registry)}",
    "mappings": "/mappings",
    "mapping": lambda registry: f"/mappings/{_mapping(registry)}",
    "query": "/query",
    "compare": "/compare",
    "register": "/register",
    "register-project": "/register/project",
    "register-dataset": "/register/dataset",
    "register-dimension": "/register/dimension",
    "register-mapping": "/register/mapping",
    "register-submission": "/register/submission",
    "not-found": "/no-such-page",
}


def _path(name: str, registry: Path) -> str:
    path = PAGES[name]
    return path(registry) if callable(path) else path


SETTLED_JS = """
const content = document.getElementById('_pages_content');
if (!content || !content.children.length) { return false; }
if (document.querySelector('._dash-loading, [data-dash-is-loading="true"]')) { return false; }
return document.readyState === 'complete';
"""


def _open(dash_duo, name: str, registry: Path) -> None:
    """Load a page and wait until Dash has rendered it and no callback is running (three
    looks in a row: a callback's answer may start another)."""
    dash_duo.wait_for_page(dash_duo.server_url + _path(name, registry))
    calm = []

    def settled():
        calm.append(bool(dash_duo.driver.execute_script(SETTLED_JS)))
        return len(calm) >= 3 and all(calm[-3:])

    wait_until(settled, 30, f"the page {name} rendered with no callback running")


def _start(dash_duo, local_viewer, registry: Path) -> None:
    dash_duo.start_server(local_viewer(registry))


# ---------------------------------------------------------------------------------------------
# axe-core

AXE_RUN_JS = """
const done = arguments[arguments.length - 1];
axe.run(document, {resultTypes: ['violations']})
    .then(results => done(results.violations.map(v => ({
        id: v.id, impact: v.impact, help: v.help,
        nodes: v.nodes.map(n => ({target: n.target.join(' '), impact: n.impact,
                                  summary: n.failureSummary}))}))))
    .catch(error => done({error: String(error)}));
"""


def axe_violations(dash_duo) -> list[dict]:
    """What axe-core finds wrong in the page as it is now (every rule axe runs by default)."""
    driver = dash_duo.driver
    if not driver.execute_script("return typeof axe !== 'undefined';"):
        driver.execute_script(AXE.read_text(encoding="utf-8"))
    driver.set_script_timeout(60)
    found = driver.execute_async_script(AXE_RUN_JS)
    assert not (isinstance(found, dict) and "error" in found), found
    return found


def serious(violations: list[dict]) -> list[dict]:
    return [v for v in violations if v["impact"] in ("serious", "critical")]


def describe(violations: list[dict]) -> str:
    lines = []
    for v in violations:
        lines.append(f"{v['impact']}: {v['id']} ({v['help']}), {len(v['nodes'])} elements")
        lines += [f"    {n['target']}: {(n['summary'] or '').splitlines()[-1]}" for n in v["nodes"]]
    return "\n".join(lines)


# ---------------------------------------------------------------------------------------------
# Structure and keyboard

STRUCTURE_JS = """
const focusable = 'a[href], button, input, select, textarea, summary, iframe, '
    + '[tabindex], [contenteditable="true"]';
const hidden = [];
for (const el of document.querySelectorAll(focusable)) {
    if (el.tabIndex < 0 || el.disabled || el.closest('[inert]')) { continue; }
    const style = getComputedStyle(el);
    const rects = el.getClientRects();
    if (!rects.length || style.visibility === 'hidden' || style.display === 'none') {
        continue;  // the browser does not focus it
    }
    if (el.id === arguments[0]) { continue; }  // the skip link: hidden until focused, by design
    // AG Grid's tab guards pass the focus on into or out of the grid the moment they get it
    if (el.classList.contains('ag-tab-guard')) { continue; }
    const box = el.getBoundingClientRect();
    const inAriaHidden = el.closest('[aria-hidden="true"]');
    if (inAriaHidden || box.width * box.height <= 1) {
        hidden.push((el.id ? '#' + el.id : el.tagName.toLowerCase())
                    + (el.className && typeof el.className === 'string'
                       ? '.' + el.className.trim().split(/\\s+/).join('.') : '')
                    + (inAriaHidden ? ' (in aria-hidden)' : ' (no size)'));
    }
}
const unnamed = [];
const controls = document.querySelectorAll(
    'input:not([type="hidden"]), select, textarea, .dash-dropdown-wrapper > button');
for (const el of controls) {
    if (!el.getClientRects().length && el.type !== 'file') { continue; }
    if (el.classList.contains('dash-dropdown-focus-target')) { continue; }
    const named = (el.getAttribute('aria-label') || '').trim()
        || (el.getAttribute('aria-labelledby') || '').split(/\\s+/).some(
            id => id && document.getElementById(id)
                && document.getElementById(id).textContent.trim())
        || (el.id && Array.from(document.querySelectorAll('label')).some(
            l => l.htmlFor === el.id && l.textContent.trim()))
        || (el.closest('label') && el.closest('label').textContent.trim());
    if (!named) {
        unnamed.push((el.id ? '#' + el.id : el.tagName.toLowerCase())
                     + (el.type ? '[' + el.type + ']' : ''));
    }
}
return {
    unnamed: unnamed,
    h1: Array.from(document.querySelectorAll('h1')).map(h => h.innerText),
    main: document.querySelectorAll('main, [role="main"]').length,
    hidden: hidden,
};
"""


def _press(dash_duo, key: str) -> None:
    """A key pressed as a user would: to whatever has the focus (a file input included)."""
    ActionChains(dash_duo.driver).send_keys(key).perform()


def _active(dash_duo) -> dict:
    return dash_duo.driver.execute_script(
        """
        const el = document.activeElement;
        const box = el.getBoundingClientRect();
        return {id: el.id, tag: el.tagName.toLowerCase(), text: el.innerText,
                href: el.getAttribute('href'), width: box.width, height: box.height,
                inMain: !!el.closest('main')};
        """
    )


@pytest.mark.parametrize("page", PAGES)
def test_axe_finds_nothing_serious_one_h1_one_main_a_skip_link_first_nothing_hidden(
    page, dash_duo, local_viewer, efs_registry_template
):
    """One page load for both: axe-core, then the structure and the keyboard."""
    _start(dash_duo, local_viewer, efs_registry_template)
    dash_duo.driver.set_window_size(1280, 1000)
    _open(dash_duo, page, efs_registry_template)
    violations = axe_violations(dash_duo)
    print(describe(violations))  # every violation, minor ones too, in the captured output
    assert serious(violations) == [], describe(serious(violations))

    found = dash_duo.driver.execute_script(STRUCTURE_JS, ids.SKIP_LINK)
    problems = []  # every problem of the page at once, not only the first
    if len(found["h1"]) != 1:
        problems.append(f"h1 elements: {found['h1']} (one wanted)")
    if found["main"] != 1:
        problems.append(f"{found['main']} <main> elements (one wanted)")
    if found["hidden"]:
        problems.append(f"hidden but reached by Tab: {found['hidden']}")
    if found["unnamed"]:  # a placeholder or a value is no name
        problems.append(f"controls without a label: {found['unnamed']}")

    # the first Tab from the top of the page reaches the skip link, which shows itself
    dash_duo.driver.execute_script("document.activeElement && document.activeElement.blur();")
    dash_duo.find_element("body").send_keys(Keys.TAB)
    first = _active(dash_duo)
    if (first["id"], first["text"].strip(), first["href"]) != (
        ids.SKIP_LINK,
        "Skip to content",
        f"#{ids.MAIN}",
    ):
        problems.append(f"the first Tab reaches {first}, not the skip link")
    elif not (first["width"] > 20 and first["height"] > 10):
        problems.append(f"the focused skip link is not visible: {first}")
    else:
        # following it moves the focus into the page's <main>, and Tab goes on from there
        _press(dash_duo, Keys.ENTER)
        wait_until(lambda: _active(dash_duo)["id"] == ids.MAIN, 5, "the focus on <main>")
        _press(dash_duo, Keys.TAB)
        wait_until(lambda: _active(dash_duo)["inMain"], 5, "Tab after <main> stays in it")
    assert problems == [], "\n".join(problems)


# ---------------------------------------------------------------------------------------------
# Phones


def _emulate_phone(dash_duo) -> None:
    dash_duo.driver.execute_cdp_cmd(
        "Emulation.setDeviceMetricsOverride",
        {"width": PHONE_WIDTH, "height": 844, "deviceScaleFactor": 3, "mobile": True},
    )
    dash_duo.driver.execute_cdp_cmd("Emulation.setTouchEmulationEnabled", {"enabled": True})


WIDEST_JS = """
const width = arguments[0];
const out = [];
for (const el of document.querySelectorAll('body *')) {
    const box = el.getBoundingClientRect();
    if (box.right > width + 0.5 && box.width > 0) {
        let clipped = false;  // inside a container that scrolls or clips: not the page's width
        for (let p = el.parentElement; p && p !== document.body; p = p.parentElement) {
            const o = getComputedStyle(p).overflowX;
            if (o !== 'visible') { clipped = true; break; }
        }
        if (!clipped) {
            out.push((el.id ? '#' + el.id : el.tagName.toLowerCase())
                     + (typeof el.className === 'string' && el.className
                        ? '.' + el.className.trim().split(/\\s+/).slice(0, 3).join('.') : '')
                     + ' right=' + Math.round(box.right));
        }
    }
}
return out.slice(0, 15);
"""


@pytest.mark.parametrize("page", PAGES)
def test_no_sideways_scroll_on_a_phone(page, dash_duo, local_viewer, efs_registry_template):
    _start(dash_duo, local_viewer, efs_registry_template)
    _emulate_phone(dash_duo)
    _open(dash_duo, page, efs_registry_template)
    # a phone widens its layout viewport to fit content wider than the screen, so both count
    widths = dash_duo.driver.execute_script(
        "return [document.documentElement.scrollWidth, window.innerWidth];"
    )
    too_wide = dash_duo.driver.execute_script(WIDEST_JS, PHONE_WIDTH)
    assert max(widths) <= PHONE_WIDTH, f"{widths} px wide; too wide: {too_wide}"
    # the navbar is collapsed behind its toggler: the links take no room until asked for
    toggler = dash_duo.find_element(f"#{ids.NAVBAR} .navbar-toggler")
    assert toggler.is_displayed()
    assert not dash_duo.find_element(f"#{ids.NAVBAR} .navbar-collapse").is_displayed()


# ---------------------------------------------------------------------------------------------
# Dark mode

THEME_JS = """
function rgb(text) {
    const m = text.match(/[\\d.]+/g).map(Number);
    return {r: m[0], g: m[1], b: m[2], a: m.length > 3 ? m[3] : 1};
}
function luminance(c) {  // WCAG relative luminance
    const f = v => {
        v /= 255;
        return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4);
    };
    return 0.2126 * f(c.r) + 0.7152 * f(c.g) + 0.0722 * f(c.b);
}
function background(el) {  // the first opaque background from el up
    for (let e = el; e; e = e.parentElement) {
        const c = rgb(getComputedStyle(e).backgroundColor);
        if (c.a > 0.5) { return c; }
    }
    return {r: 255, g: 255, b: 255, a: 1};
}
function contrast(a, b) {
    const [x, y] = [luminance(a), luminance(b)].sort((p, q) => q - p);
    return (x + 0.05) / (y + 0.05);
}
const page = background(document.querySelector('main'));
const text = rgb(getComputedStyle(document.querySelector('main')).color);
const charts = Array.from(document.querySelectorAll('.js-plotly-plot')).map(plot => {
    const label = plot.querySelector('.xtick text, .ytick text, .gtitle, .legendtext');
    if (!label) { return null; }
    const fill = rgb(getComputedStyle(label).fill);
    let bg = null;  // the plot's own paper, else what is behind it
    const paper = plot.querySelector('.main-svg');
    const own = paper && rgb(getComputedStyle(paper).backgroundColor);
    bg = own && own.a > 0.5 ? own : background(plot);
    return contrast(fill, bg);
});
return {
    theme: document.documentElement.getAttribute('data-bs-theme'),
    pageLuminance: luminance(page),
    textContrast: contrast(text, page),
    charts: charts,
};
"""


def _prefer(dash_duo, scheme: str) -> None:
    dash_duo.driver.execute_cdp_cmd(
        "Emulation.setEmulatedMedia",
        {"features": [{"name": "prefers-color-scheme", "value": scheme}]},
    )


def test_dark_mode_follows_the_system_and_charts_stay_readable(
    dash_duo, local_viewer, efs_registry_template
):
    _start(dash_duo, local_viewer, efs_registry_template)
    dash_duo.driver.set_window_size(1280, 1000)
    _prefer(dash_duo, "dark")
    _open(dash_duo, "dataset", efs_registry_template)
    wait_until(
        lambda: dash_duo.driver.execute_script(THEME_JS)["charts"], 30, "a chart on the page"
    )
    dark = dash_duo.driver.execute_script(THEME_JS)
    assert dark["theme"] == "dark"
    assert dark["pageLuminance"] < 0.1, dark  # Bootstrap's dark body, not white
    assert dark["textContrast"] >= 7, dark
    # every chart's labels stand out from what is behind them (WCAG AA for text: 4.5)
    assert dark["charts"] and all(c is not None and c >= 4.5 for c in dark["charts"]), dark
    found = serious(axe_violations(dash_duo))
    assert found == [], describe(found)

    # the system turns light again: so does the page, without a reload
    _prefer(dash_duo, "light")
    wait_until(
        lambda: dash_duo.driver.execute_script(THEME_JS)["theme"] == "light", 5, "light again"
    )
    light = dash_duo.driver.execute_script(THEME_JS)
    assert light["pageLuminance"] > 0.9 and light["textContrast"] >= 7, light
    assert all(c >= 4.5 for c in light["charts"]), light


@pytest.mark.parametrize(
    "page", ["home", "datasets", "dimension", "register", "register-dataset", "not-found"]
)
def test_dark_mode_on_pages_without_charts(page, dash_duo, local_viewer, efs_registry_template):
    _start(dash_duo, local_viewer, efs_registry_template)
    _prefer(dash_duo, "dark")
    _open(dash_duo, page, efs_registry_template)
    dark = dash_duo.driver.execute_script(THEME_JS)
    assert (dark["theme"], dark["pageLuminance"] < 0.1, dark["textContrast"] >= 7) == (
        "dark",
        True,
        True,
    ), dark
    # panels set off from the page (Bootstrap's bg-light) follow the theme: no light box
    # with the dark theme's light text in it
    light_boxes = dash_duo.driver.execute_script(
        """
        const out = [];
        for (const el of document.querySelectorAll('main *')) {
            const style = getComputedStyle(el);
            const bg = style.backgroundColor.match(/[\\d.]+/g).map(Number);
            const fg = style.color.match(/[\\d.]+/g).map(Number);
            if ((bg.length < 4 || bg[3] > 0.5) && bg[0] + bg[1] + bg[2] > 600
                && fg[0] + fg[1] + fg[2] > 450
                && !el.closest('.js-plotly-plot') && el.getClientRects().length) {
                out.push((el.id ? '#' + el.id : el.tagName) + '.' + el.className);
            }
        }
        return out.slice(0, 10);
        """
    )
    assert light_boxes == []
    # and the dark page passes axe too (colour contrast above all)
    found = serious(axe_violations(dash_duo))
    assert found == [], describe(found)


# ---------------------------------------------------------------------------------------------
# Keyboard use of a dropdown


def test_a_dropdown_is_one_tab_stop_named_by_its_label_and_works_by_keyboard(
    dash_duo, local_viewer, efs_registry_template
):
    """Dash 4's dcc.Dropdown, repaired by assets/a11y.js: Tab reaches its button (which its
    <label> names), never the hidden input in front of it; the keyboard opens it and picks."""
    _start(dash_duo, local_viewer, efs_registry_template)
    dash_duo.driver.set_window_size(1280, 1000)
    _open(dash_duo, "register-dimension", efs_registry_template)
    dropdown = ids.wizard_field("dimension", "type")
    assert component_prop(dash_duo, dropdown, "value") is None
    label = dash_duo.find_element(f"label[for='{dropdown}']").text
    assert label == "Type"

    dash_duo.driver.execute_script("document.activeElement && document.activeElement.blur();")
    dash_duo.find_element("body").send_keys(Keys.TAB)
    stops = []
    for _ in range(60):
        active = dash_duo.driver.execute_script(
            "const e = document.activeElement;"
            "return [e.id, e.tagName.toLowerCase(), e.className, "
            "        (e.labels && e.labels.length) ? e.labels[0].innerText : null];"
        )
        stops.append(active)
        if active[0] == dropdown:
            break
        _press(dash_duo, Keys.TAB)
    assert not [s for s in stops if "dash-dropdown-focus-target" in (s[2] or "")], stops
    assert stops[-1][:2] == [dropdown, "button"], stops
    assert stops[-1][3] == "Type"  # the button's label, as assistive technology reads it

    # open it from the keyboard, move to the second option, take it
    _press(dash_duo, Keys.ENTER)
    dash_duo.wait_for_element(".dash-dropdown-content [role='option']")
    options = [e.text for e in dash_duo.find_elements(".dash-dropdown-content [role='option']")]
    assert options[: len(NON_TIME_TYPES)] == list(NON_TIME_TYPES)[: len(options)]
    focus_in_popover = "return !!document.activeElement.closest('.dash-dropdown-content');"
    wait_until(lambda: dash_duo.driver.execute_script(focus_in_popover), 5, "focus in the list")
    second = "return document.activeElement.closest('[role=option]')?.innerText === arguments[0];"
    _press(dash_duo, Keys.ARROW_DOWN)
    _press(dash_duo, Keys.ARROW_DOWN)
    wait_until(
        lambda: dash_duo.driver.execute_script(second, list(NON_TIME_TYPES)[1]),
        5,
        "the focus on the second option",
    )
    _press(dash_duo, Keys.ENTER)
    wait_until(
        lambda: component_prop(dash_duo, dropdown, "value") == list(NON_TIME_TYPES)[1],
        5,
        "the second type chosen by keyboard",
    )


def test_the_phone_menu_opens_from_its_toggler(dash_duo, local_viewer, efs_registry_template):
    _start(dash_duo, local_viewer, efs_registry_template)
    _emulate_phone(dash_duo)
    _open(dash_duo, "home", efs_registry_template)
    links = dash_duo.find_elements(f"#{ids.NAVBAR} .nav-link")
    names = {"Projects", "Datasets", "Dimensions", "Mappings", "Query", "Register"}
    assert not any(link.is_displayed() for link in links)
    dash_duo.find_element(f"#{ids.NAVBAR} .navbar-toggler").click()
    wait_until(
        lambda: {link.text for link in links if link.is_displayed()} >= names,
        5,
        "the page links shown under the toggler",
    )
    width = dash_duo.driver.execute_script("return document.documentElement.scrollWidth;")
    assert width <= PHONE_WIDTH
