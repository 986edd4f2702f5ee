"""`create_app` builds a whole app each call: a second app in the same process has every
callback the first has (callbacks registered with `dash.callback` at import go to the first
app only; the graph's click was lost that way after the first app)."""

from __future__ import annotations


def test_every_app_of_a_process_gets_every_callback(tmp_path):
    from app import create_app

    apps = []
    for i in range(2):  # one app after the other, as the browser tests make them
        app = create_app(None, cache_dir=str(tmp_path / f"cache{i}"))
        app._setup_server()  # what Dash does on the app's first request
        apps.append(app)
    first, second = (set(app.callback_map) for app in apps)
    assert "dependency-graph-focus.value" in first  # a click on the graph focuses a node
    assert first == second, sorted(first ^ second)
