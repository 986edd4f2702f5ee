"""What the web viewer asks of a registry, as one interface with two implementations:
`LocalViewer` (in this process, on a registry folder: the default) and `RemoteViewer` (an HTTP
client of another server's ``/api/v1``: ``dsgrid serve --api-url URL``). The HTTP API's routes
answer through `LocalViewer` too, so a page sees the same answer, field for field, whichever
implementation serves it (tests/api/test_viewer_contract.py runs every method both ways).

Answers are plain JSON values (dicts, lists, text, numbers, None), as they travel over HTTP;
paged answers are `Page`s whose items are such values. Errors are the core's own
(`NotFoundError`, `InputError`, ...) in both implementations.
"""

from __future__ import annotations

import io
import json
from abc import ABC, abstractmethod
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any, TypedDict, Unpack

from dsgrid_core.browse import downloads, text_match
from dsgrid_core.browse.paging import MAX_LIMIT, AnyOf, Filter, Page
from dsgrid_core.browse.results import TooLarge
from dsgrid_core.browse.summary import SEARCH_COLUMNS, search_rows
from dsgrid_core.settings import get as setting

Filters = list[Filter | AnyOf] | None
Sort = list[tuple[str, bool]] | None


class Paging(TypedDict, total=False):
    """What every paged question takes: which rows (filters: all must match; an AnyOf: one of
    its filters), in which order, and which page of them (``offset``, or the ``token`` of the
    previous page's ``next``)."""

    filters: Filters
    sort: Sort
    limit: int | None
    token: str | None
    offset: int | None


def plain(value: Any) -> Any:
    """``value`` as it reads back from JSON (tuples as lists, keys as text, dates as ISO text)."""
    return json.loads(json.dumps(value, default=_iso))


def _iso(value: Any) -> Any:
    if hasattr(value, "isoformat"):
        return value.isoformat()
    raise TypeError(f"{type(value).__name__} is not JSON")


def check_text_rows(rows: int | None) -> None:
    """A result downloads as text (CSV, NDJSON) up to DSGRID_CSV_ROW_CAP rows; a larger one is
    refused (413) with the way out (Parquet has no cap)."""
    cap = int(setting("DSGRID_CSV_ROW_CAP"))
    if rows is not None and rows > cap:
        raise TooLarge(
            f"the result has {rows:,} rows, above the text download cap of {cap:,} "
            "(DSGRID_CSV_ROW_CAP): download it as Parquet (smaller and faster), or aggregate more."
        )


class Viewer(ABC):
    """Every question the viewer's pages ask; implementations answer over a registry folder or
    over HTTP. ``label`` is what the pages show as the registry (its folder or the API's URL)."""

    label: str
    local: bool  # a registry folder on this machine (registrations, paths in commands)

    # --- the registry ----------------------------------------------------------------------
    @abstractmethod
    def state(self) -> str:
        """Changes whenever anything is registered, updated or removed (the read cache's key)."""

    @abstractmethod
    def summary(self, latest: int = 10) -> dict[str, Any]: ...

    @abstractmethod
    def search(self, text: str, limit: int = 20) -> dict[str, Any]: ...

    def search_file(self, text: str, *, format: str, limit: int = 20) -> Iterator[str]:
        """The hits of ``search`` as the text chunks of one ``csv`` or ``ndjson`` file:
        components, then records, each with ``hit`` (component or record) and ``why``."""
        found = self.search(text, limit=limit)
        return downloads.encode(search_rows(found), format, SEARCH_COLUMNS)

    @staticmethod
    def why_matched(matched: list[str] | None) -> str:
        """A search hit's ``matched`` (the fields and word forms it matched) in words."""
        return text_match.explain(matched or [])

    # --- components ------------------------------------------------------------------------
    @abstractmethod
    def components(
        self,
        kind: str,
        *,
        type: str | None = None,
        text: str | None = None,
        project: str | None = None,
        class_: str | None = None,
        status: str | None = None,
        **paging: Unpack[Paging],
    ) -> Page:
        """A page of the latest versions of ``kind`` (of ``type``: a dimension type, a
        dataset type; with ``text`` in the id, name or description; used by ``project``; of
        ``class_`` and ``status``: see `dsgrid_core.browse.facets`). Items carry their
        ``class`` and ``status``."""

    @abstractmethod
    def facets(
        self,
        kind: str,
        *,
        type: str | None = None,
        text: str | None = None,
        project: str | None = None,
        class_: str | None = None,
        status: str | None = None,
        filters: Filters = None,
    ) -> dict[str, dict[str, int]]:
        """Facet counts of the list ``components`` answers with these choices: per facet of
        the kind (type, class, status, project), how many components each value would leave
        under the other choices and the filters (values with none left out), in one answer."""

    def catalog(self, kind: str, type: str | None = None) -> list[dict[str, Any]]:
        """Every component of ``kind`` (of dimension ``type``), latest versions, by id."""
        return _all_pages(lambda **p: self.components(kind, type=type, **p))

    @abstractmethod
    def component(self, kind: str, id: str, version: str | None = None) -> dict[str, Any]: ...

    @abstractmethod
    def versions(self, kind: str, id: str) -> list[dict[str, Any]]: ...

    @abstractmethod
    def version_diff(self, kind: str, id: str, old: str, new: str) -> dict[str, Any]: ...

    @abstractmethod
    def dependency_graph(self, kind: str, id: str, version: str | None = None) -> dict: ...

    @abstractmethod
    def where_used(self, kind: str, id: str) -> list[dict[str, Any]]: ...

    # --- records ---------------------------------------------------------------------------
    @abstractmethod
    def records_page(
        self, dimension_id: str, version: str | None = None, **paging: Unpack[Paging]
    ) -> Page: ...

    def records(self, dimension_id: str, version: str | None = None) -> list[dict[str, Any]]:
        """Every record of a dimension version, in its file's order."""
        return _all_pages(lambda **p: self.records_page(dimension_id, version, **p))

    @abstractmethod
    def mapping_records_page(
        self, mapping_id: str, version: str | None = None, **paging: Unpack[Paging]
    ) -> Page: ...

    def mapping_rows(self, mapping_id: str, version: str | None = None) -> list[dict[str, Any]]:
        """Every row ({from_id, to_id, from_fraction}) of a mapping version, in file order."""
        return _all_pages(lambda **p: self.mapping_records_page(mapping_id, version, **p))

    @abstractmethod
    def fraction_check(self, mapping_id: str, version: str | None = None) -> dict: ...

    @abstractmethod
    def mapping_flows(self, mapping_id: str, version: str | None = None, max_nodes: int = 40):
        """From -> to flows weighted by fraction, small ids grouped beyond ``max_nodes``."""

    # --- datasets and projects -------------------------------------------------------------
    @abstractmethod
    def dataset_facts(self, dataset_id: str, version: str | None = None) -> dict: ...

    @abstractmethod
    def preview(self, dataset_id: str, version: str | None = None, **paging: Unpack[Paging]):
        """A page of the dataset version's stored rows (stacked)."""

    @abstractmethod
    def coverage(self, dataset_id: str, version: str | None = None, *, x: str, y: str): ...

    @abstractmethod
    def load_profile(
        self,
        dataset_id: str,
        version: str | None = None,
        *,
        records: dict[str, list[str]] | None = None,
        by: str | None = None,
        resolution: str = "hour",
    ) -> dict[str, Any]: ...

    @abstractmethod
    def project_overview(self, project_id: str, version: str | None = None) -> dict: ...

    @abstractmethod
    def project_coverage(
        self, project_id: str, dataset_id: str, *, version: str | None = None, x: str, y: str
    ) -> dict[str, Any]: ...

    # --- queries ---------------------------------------------------------------------------
    @abstractmethod
    def query_choices(self, project_id: str) -> dict[str, Any]:
        """What a query over the project can name (`dsgrid_core.query.choices`)."""

    @abstractmethod
    def query_records(self, project_id: str, dimension_type: str, name: str) -> list[dict]:
        """The records ({id, name, unit}) of one of the project's dimensions, by its name."""

    @abstractmethod
    def submit_query(
        self,
        query: dict[str, Any],
        *,
        wait: float = 0.0,
        engine: str = "duckdb",
        time_limit: float | None = None,
        use_cache: bool = True,
        source: str = "the query",
    ) -> str:
        """Check and start a query job, waiting up to ``wait`` seconds for it; returns its id
        (an InputError naming ``source`` when the query is bad)."""

    @abstractmethod
    def jobs(self, limit: int = 20) -> list[dict[str, Any]]:
        """Recent jobs, newest first (`job` shape)."""

    @abstractmethod
    def job(self, job_id: str) -> dict[str, Any] | None:
        """The job (`jobs.answers.job_answer` shape, with its query), None when unknown."""

    @abstractmethod
    def cancel_job(self, job_id: str) -> None: ...

    # -- registrations ---------------------------------------------------------------------

    @abstractmethod
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
        """Start the job registering ``config``, a ``kind`` config (dimension,
        dimension_mapping, dataset, project, or a dataset's submission with ``params``
        project_id and dataset_id), with ``files`` (the name the config gives a file -> the
        file here); returns the job's id, followed with `job`. Needs write permission where
        the registry is (WriteRefused otherwise)."""

    @abstractmethod
    def result_page(self, job_id: str, **paging: Unpack[Paging]) -> Page:
        """A page of a finished query job's table."""

    @abstractmethod
    def result_file(self, job_id: str, format: str) -> bytes:
        """A finished job's whole table as ``csv`` (refused above the CSV row cap) or
        ``parquet``."""

    def result_ndjson(self, job_id: str) -> Iterator[str]:
        """A finished job's whole table as newline-delimited JSON text chunks (one object per
        row, as the JSON pages give it), page after page; the first page is read now, so a
        missing job or one above the text download cap (`check_text_rows`) raises before
        anything is written."""

        def fetch(**paging: Any) -> Page:
            return self.result_page(job_id, **paging)

        first = fetch(limit=MAX_LIMIT, token=None)
        check_text_rows(first.total)
        return downloads.encode(downloads.every_row(first, fetch), "ndjson", first.columns)

    def result_frame(self, job_id: str):
        """A finished job's table as a pandas DataFrame (charts read small results whole)."""
        import pandas as pd  # late: pandas

        return pd.read_parquet(io.BytesIO(self.result_file(job_id, "parquet")))

    def download(
        self,
        question: str,
        *args: Any,
        format: str,
        columns: list[str] | None = None,
        **options: Any,
    ) -> Iterator[str]:
        """Every row a paged question answers (``question``: ``components``, ``records_page``
        or ``mapping_records_page``, with its arguments but no paging) as CSV or NDJSON text
        chunks (`dsgrid_core.browse.downloads`), page after page; the first page is read now,
        so its errors raise before anything is written."""
        ask = getattr(self, question)
        return downloads.stream(lambda **paging: ask(*args, **options, **paging), format, columns)

    def close(self) -> None:  # noqa: B027 (a viewer without resources has nothing to close)
        """Release what the viewer holds (the registry's connection)."""


def _all_pages(fetch) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    token = None
    while True:
        page = fetch(limit=MAX_LIMIT, token=token)
        items += page.items
        token = page.next
        if not token:
            return items
