"""The viewer's questions answered by another dsgrid-viewer server over its ``/api/v1``
(``dsgrid serve --api-url URL``): a team's API server or a cloud registry, with no registry on
this machine. Each method is one or more GETs (or a POST for a query or a cancel) whose JSON
answer is what `LocalViewer` gives there; the server's errors come back as the core's own
(`NotFoundError`, `InputError`, ...) with its message."""

from __future__ import annotations

import json
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from dsgrid_core import errors
from dsgrid_core.browse.paging import AnyOf, Filter, Page, check_limit
from dsgrid_core.service.viewer import Filters, Sort, Viewer

TIMEOUT = 60.0  # seconds for one request (a load profile over a large dataset takes a while)
KIND_PATHS = {
    "project": "projects",
    "dataset": "datasets",
    "dimension": "dimensions",
    "dimension_mapping": "dimension-mappings",
}
_ERRORS = {  # the server's error type -> the core's class (others: DsgridError)
    "NotFoundError": errors.NotFoundError,
    "InputError": errors.InputError,
    "ConfigError": errors.ConfigError,
    "ConflictError": errors.ConflictError,
    "TooLarge": errors.InputError,
    "AlreadyExistsError": errors.AlreadyExistsError,
    "StaleVersionError": errors.StaleVersionError,
    "InUseError": errors.InUseError,
    "WriteRefused": None,  # RemoteRefused: the message says by whom
}


class RemoteError(errors.DsgridError):
    """The server could not be reached, or did not answer as a dsgrid-viewer API does."""

    http_status = 502


class RemoteRefused(errors.DsgridError):
    """The server refused a change (read-only, or this viewer's token is missing or wrong)."""

    http_status = 403


def filter_text(f: Filter) -> str:
    """A filter as the API's ``COLUMN:OPERATOR[:VALUE]`` text."""
    if f.operator == "in":
        values = f.value if isinstance(f.value, list | tuple) else [f.value]
        return f"{f.column}:in:{','.join(str(v) for v in values)}"
    if f.value is None:
        return f"{f.column}:{f.operator}"
    return f"{f.column}:{f.operator}:{f.value}"


def filter_params(filters: Filters) -> dict[str, list[str]]:
    """``filter`` (all must match) and ``any`` (``GROUP:filter``: one of a group must match)."""
    out: dict[str, list[str]] = {"filter": [], "any": []}
    groups = 0
    for f in filters or []:
        if isinstance(f, AnyOf):
            groups += 1
            out["any"] += [f"{groups}:{filter_text(g)}" for g in f.filters]
        else:
            out["filter"].append(filter_text(f))
    return {k: v for k, v in out.items() if v}


def sort_param(sort: Sort) -> str | None:
    return ",".join(("-" if desc else "") + name for name, desc in sort) if sort else None


class RemoteViewer(Viewer):
    local = False

    def __init__(self, url: str, *, token: str | None = None, timeout: float = TIMEOUT) -> None:
        parsed = urllib.parse.urlsplit(url)
        if parsed.scheme not in ("http", "https") or not parsed.netloc:
            raise errors.InputError(
                f"--api-url '{url}' is not an http(s) URL of a dsgrid-viewer server, e.g. "
                "http://127.0.0.1:8050 (its API is under /api/v1)."
            )
        base = url.rstrip("/")
        self.base = base if base.endswith("/api/v1") else base + "/api/v1"
        self.label = base.removesuffix("/api/v1")
        self.token = token
        self.timeout = timeout

    # --- HTTP ------------------------------------------------------------------------------
    def _request(
        self, method: str, path: str, params=None, body=None, *, raw: bytes | None = None
    ) -> tuple[bytes, str]:
        """``body``: JSON; ``raw``: bytes sent as they are (an uploaded file)."""
        query = urllib.parse.urlencode(
            {k: v for k, v in (params or {}).items() if v is not None}, doseq=True
        )
        url = self.base + path + (f"?{query}" if query else "")
        headers = {"Accept": "application/json"}
        data = raw
        if raw is not None:
            headers["Content-Type"] = "application/octet-stream"
        elif body is not None:
            data = json.dumps(body).encode()
            headers["Content-Type"] = "application/json"
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        request = urllib.request.Request(url, data=data, headers=headers, method=method)  # noqa: S310 (http(s) only, checked above)
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:  # noqa: S310
                return response.read(), response.headers.get("Content-Type", "")
        except urllib.error.HTTPError as exc:
            raise self._error(exc) from None
        except (urllib.error.URLError, TimeoutError, ConnectionError) as exc:
            reason = getattr(exc, "reason", exc)
            raise RemoteError(f"the API server {self.label} did not answer: {reason}.") from None

    def _error(self, exc: urllib.error.HTTPError) -> errors.DsgridError:
        try:
            error = json.loads(exc.read())["error"]
            message, kind, details = error["message"], error.get("type"), error.get("details")
        except (ValueError, KeyError, TypeError):
            return RemoteError(f"the API server {self.label} answered HTTP {exc.code}.")
        if kind == "WriteRefused":
            return RemoteRefused(f"the API server {self.label} refused: {message}")
        cls = _ERRORS.get(kind) or errors.DsgridError
        return cls(message, details=details or ())

    def _envelope(
        self, method: str, path: str, params=None, body=None, *, raw: bytes | None = None
    ) -> dict[str, Any]:
        raw, _ = self._request(method, path, params, body, raw=raw)
        try:
            answer = json.loads(raw)
        except ValueError:
            raise RemoteError(
                f"the API server {self.label} answered {path} without JSON."
            ) from None
        if not isinstance(answer, dict) or not answer.get("ok"):
            raise RemoteError(f"the API server {self.label} answered {path} unexpectedly.")
        return answer

    def _get(self, path: str, **params) -> Any:
        return self._envelope("GET", path, params)["data"]

    def _page(self, path: str, *, filters=None, sort=None, limit=None, **params) -> Page:
        limit = check_limit(limit)
        params.update(filter_params(filters), sort=sort_param(sort), limit=limit)
        answer = self._envelope("GET", path, params)
        return Page(
            items=answer["data"],
            total=answer["total"],
            limit=limit,
            next=answer.get("next"),
            columns=answer.get("columns") or [],
            offset=params.get("offset") or 0,
        )

    @staticmethod
    def _q(text: str) -> str:
        return urllib.parse.quote(str(text), safe="")

    def _kind(self, kind: str) -> str:
        try:
            return KIND_PATHS[kind]
        except KeyError:
            raise errors.NotFoundError(f"unknown kind '{kind}'.") from None

    # --- the registry ----------------------------------------------------------------------
    def state(self) -> str:
        return str(self._get("/health").get("state"))

    def summary(self, latest: int = 10) -> dict[str, Any]:
        return self._get("/summary", latest=latest)

    def search(self, text: str, limit: int = 20) -> dict[str, Any]:
        return self._get("/search", q=text, limit=limit)

    # --- components ------------------------------------------------------------------------
    def components(
        self,
        kind: str,
        *,
        type=None,
        text=None,
        project=None,
        class_=None,
        status=None,
        token=None,
        offset=None,
        **paging,
    ) -> Page:
        return self._page(
            f"/{self._kind(kind)}",
            type=type,
            q=text,
            project=project,
            status=status,
            next=token,
            offset=offset,
            **{"class": class_},
            **paging,
        )

    def facets(
        self,
        kind: str,
        *,
        type=None,
        text=None,
        project=None,
        class_=None,
        status=None,
        filters=None,
    ) -> dict[str, dict[str, int]]:
        params = {"type": type, "q": text, "project": project, "class": class_, "status": status}
        return self._get(f"/facets/{self._kind(kind)}", **params, **filter_params(filters))

    def component(self, kind: str, id: str, version: str | None = None) -> dict[str, Any]:
        return self._get(f"/{self._kind(kind)}/{self._q(id)}", version=version)

    def versions(self, kind: str, id: str) -> list[dict[str, Any]]:
        return self._get(f"/{self._kind(kind)}/{self._q(id)}/versions")

    def version_diff(self, kind: str, id: str, old: str, new: str) -> dict[str, Any]:
        return self._get(f"/{self._kind(kind)}/{self._q(id)}/diff", **{"from": old, "to": new})

    def dependency_graph(self, kind: str, id: str, version: str | None = None) -> dict:
        return self._get(f"/{self._kind(kind)}/{self._q(id)}/dependencies", version=version)

    def where_used(self, kind: str, id: str) -> list[dict[str, Any]]:
        return self._get(f"/{self._kind(kind)}/{self._q(id)}/dependents")

    # --- records ---------------------------------------------------------------------------
    def records_page(self, dimension_id: str, version=None, *, token=None, **paging) -> Page:
        path = f"/dimensions/{self._q(dimension_id)}/records"
        return self._page(path, version=version, next=token, **paging)

    def mapping_records_page(self, mapping_id: str, version=None, *, token=None, **paging):
        path = f"/dimension-mappings/{self._q(mapping_id)}/records"
        return self._page(path, version=version, next=token, **paging)

    def fraction_check(self, mapping_id: str, version: str | None = None) -> dict:
        return self._get(f"/dimension-mappings/{self._q(mapping_id)}/check", version=version)

    def mapping_flows(self, mapping_id: str, version: str | None = None, max_nodes: int = 40):
        path = f"/dimension-mappings/{self._q(mapping_id)}/flows"
        return self._get(path, version=version, max_nodes=max_nodes)

    # --- datasets and projects -------------------------------------------------------------
    def dataset_facts(self, dataset_id: str, version: str | None = None) -> dict:
        return self._get(f"/datasets/{self._q(dataset_id)}/facts", version=version)

    def preview(self, dataset_id: str, version=None, *, token=None, **paging) -> Page:
        path = f"/datasets/{self._q(dataset_id)}/preview"
        return self._page(path, version=version, next=token, **paging)

    def coverage(self, dataset_id: str, version: str | None = None, *, x: str, y: str):
        return self._get(f"/datasets/{self._q(dataset_id)}/coverage", version=version, x=x, y=y)

    def load_profile(
        self, dataset_id: str, version=None, *, records=None, by=None, resolution="hour"
    ) -> dict[str, Any]:
        return self._get(
            f"/datasets/{self._q(dataset_id)}/profile",
            version=version,
            by=by,
            resolution=resolution,
            **{t: list(ids) for t, ids in (records or {}).items()},
        )

    def project_overview(self, project_id: str, version: str | None = None) -> dict:
        return self._get(f"/projects/{self._q(project_id)}/overview", version=version)

    def project_coverage(self, project_id: str, dataset_id: str, *, version=None, x, y) -> dict:
        path = f"/projects/{self._q(project_id)}/coverage"
        return self._get(path, dataset=dataset_id, version=version, x=x, y=y)

    # --- queries ---------------------------------------------------------------------------
    def query_choices(self, project_id: str) -> dict[str, Any]:
        return self._get(f"/projects/{self._q(project_id)}/query-choices")

    def query_records(self, project_id: str, dimension_type: str, name: str) -> list[dict]:
        path = f"/projects/{self._q(project_id)}/query-records"
        return self._get(path, type=dimension_type, name=name)

    def submit_query(
        self,
        query: dict[str, Any],
        *,
        wait: float = 0.0,
        engine: str = "duckdb",
        time_limit: float | None = None,
        use_cache: bool = True,
        source: str = "the query",  # the server names its own source (body.query)
    ) -> str:
        body = {
            "query": query,
            "wait": wait,
            "engine": engine,
            "time_limit": time_limit,
            "use_cache": use_cache,
        }
        return self._envelope("POST", "/queries", body=body)["data"]["id"]

    def jobs(self, limit: int = 20) -> list[dict[str, Any]]:
        return [self._without_links(job) for job in self._get("/jobs", limit=limit)]

    @staticmethod
    def _without_links(job: dict[str, Any]) -> dict[str, Any]:
        return {k: v for k, v in job.items() if k != "links"}

    def job(self, job_id: str) -> dict[str, Any] | None:
        try:
            answer = self._get(f"/jobs/{self._q(job_id)}")
        except errors.NotFoundError:
            return None
        return self._without_links(answer)

    def cancel_job(self, job_id: str) -> None:
        self._envelope("POST", f"/jobs/{self._q(job_id)}/cancel", body={})

    def start_registration(
        self,
        kind: str,
        config: dict[str, Any],
        *,
        config_name: str,
        log_message: str,
        files: Mapping[str, Path] | None = None,
        params: dict[str, str] | None = None,
    ) -> str:
        """The files go to the server's upload session first (one PUT each), then the config
        names that session; the session is removed if the registration cannot start."""
        body: dict[str, Any] = {
            "config": config,
            "config_name": config_name,
            "log_message": log_message,
        }
        if kind == "submission":
            route = "/submissions"
            body.update(params or {})
        else:
            route = "/registrations"
            body["kind"] = kind
        session = None
        if files:
            session = self._envelope("POST", "/uploads", body={})["data"]["session"]
            body["upload_session"] = session
        try:
            for name, path in (files or {}).items():
                self._envelope(
                    "PUT",
                    f"/uploads/{self._q(session)}/files/{self._q(name)}",
                    raw=Path(path).read_bytes(),
                )
            return self._envelope("POST", route, body=body)["data"]["id"]
        except errors.DsgridError:
            if session:
                self._end_upload(session)
            raise

    def _end_upload(self, session: str) -> None:
        try:
            self._envelope("DELETE", f"/uploads/{self._q(session)}")
        except errors.DsgridError:
            pass  # the server sweeps abandoned sessions

    def result_page(
        self, job_id: str, *, filters=None, sort=None, offset=None, limit=None, token=None
    ) -> Page:
        limit = check_limit(limit)
        params = {
            **filter_params(filters),
            "sort": sort_param(sort),
            "format": "json",
            "offset": offset,
            "limit": limit,
            "next": token,
        }
        data = self._get(f"/jobs/{self._q(job_id)}/result", **params)
        return Page(
            items=data["rows"],
            total=data["row_count"],
            limit=limit,
            next=data.get("next"),
            columns=data.get("columns") or [],
            offset=data.get("offset") or 0,
        )

    def result_file(self, job_id: str, format: str) -> bytes:
        if format not in ("csv", "parquet"):
            raise errors.InputError(f"a result downloads as csv or parquet, not '{format}'.")
        raw, _ = self._request("GET", f"/jobs/{self._q(job_id)}/result", {"format": format})
        return raw
