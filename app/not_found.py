"""HTTP 404 for addresses no page has. Dash answers every path with its page shell (status
200) and shows the not_found_404 page in it; this hook gives such an answer the status it
means, so that links checkers, crawlers and `curl -f` see the error too."""

from __future__ import annotations

import re

import dash
import flask

# Paths that are not pages: Dash's own routes, static files and the API.
NOT_PAGES = ("/_dash", "/_reload", "/_favicon", "/_alive", "/assets/", "/api/")


def _page_patterns() -> list[re.Pattern[str]]:
    patterns = []
    for page in dash.page_registry.values():
        if page["module"].endswith("not_found_404"):
            continue
        template = page.get("path_template") or page["path"]
        regex = re.sub(r"<[^>]+>", "[^/]+", re.escape(template))
        patterns.append(re.compile(f"^{regex}/?$"))
    return patterns


def configure(server: flask.Flask) -> None:
    """Answer unknown page addresses with 404 (the page shell and its not-found page)."""

    @server.after_request
    def not_found(response: flask.Response) -> flask.Response:
        path = flask.request.path
        if (
            flask.request.method != "GET"
            or response.status_code != 200
            or response.mimetype != "text/html"
            or path.startswith(NOT_PAGES)
        ):
            return response
        patterns = server.extensions.setdefault("dsgrid_page_patterns", _page_patterns())
        if not any(p.match(path) for p in patterns):
            response.status_code = 404
        return response
