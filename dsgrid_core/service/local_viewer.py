"""The viewer's questions answered in this process, over a registry folder opened by the caller
(the web server opens it read-only once per request). The HTTP API answers through this class
too, so `RemoteViewer` (its client) gets these answers as they are."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from dsgrid_core.browse import (
    components,
    dataset_rows,
    datasets,
    downloads,
    projects,
    records,
    results,
    summary,
)
from dsgrid_core.browse.paging import Page
from dsgrid_core.data import parquet_pages
from dsgrid_core.errors import ConflictError, InputError, NotFoundError
from dsgrid_core.jobs.answers import job_answer
from dsgrid_core.jobs.messages import public_error
from dsgrid_core.jobs.runner import cancel_job
from dsgrid_core.jobs.store import JobStore
from dsgrid_core.service import registrations
from dsgrid_core.service.viewer import Viewer, check_text_rows, plain

RESULT_TABLE = "table.parquet"


def _plain_page(page: Page) -> Page:
    page.items = plain(page.items)
    return page


class LocalViewer(Viewer):
    local = True

    def __init__(self, registry) -> None:
        self.registry = registry
        self.label = str(registry.path)

    def close(self) -> None:
        self.registry.close()

    def state(self) -> str:
        return summary.registry_state(self.registry)

    def summary(self, latest: int = 10) -> dict[str, Any]:
        return plain(summary.registry_summary(self.registry, latest=latest))

    def search(self, text: str, limit: int = 20) -> dict[str, Any]:
        return plain(summary.search(self.registry, text, limit=limit))

    def components(self, kind: str, **options) -> Page:
        return _plain_page(components.list_components(self.registry, kind, **options))

    def facets(self, kind: str, **options) -> dict[str, dict[str, int]]:
        return plain(components.component_facets(self.registry, kind, **options))

    def component(self, kind: str, id: str, version: str | None = None) -> dict[str, Any]:
        return plain(components.component(self.registry, kind, id, version))

    def versions(self, kind: str, id: str) -> list[dict[str, Any]]:
        return plain(components.versions(self.registry, kind, id))

    def version_diff(self, kind: str, id: str, old: str, new: str) -> dict[str, Any]:
        return plain(components.version_diff(self.registry, kind, id, old, new))

    def dependency_graph(self, kind: str, id: str, version: str | None = None) -> dict:
        return plain(components.dependency_graph(self.registry, kind, id, version))

    def where_used(self, kind: str, id: str) -> list[dict[str, Any]]:
        return plain(components.where_used(self.registry, kind, id))

    def records_page(self, dimension_id: str, version: str | None = None, **options) -> Page:
        return _plain_page(
            records.dimension_records_page(self.registry, dimension_id, version, **options)
        )

    def records(self, dimension_id: str, version: str | None = None) -> list[dict[str, Any]]:
        return plain(self.registry.records(dimension_id, version))

    def mapping_records_page(self, mapping_id: str, version: str | None = None, **options):
        return _plain_page(
            records.mapping_records_page(self.registry, mapping_id, version, **options)
        )

    def mapping_rows(self, mapping_id: str, version: str | None = None) -> list[dict[str, Any]]:
        return plain(records.mapping_rows(self.registry, mapping_id, version))

    def download(self, question: str, *args, format: str, columns=None, **options):
        """Every matching row read at once (not page after page, which would sort the rows
        once per page), written out in chunks; errors raise here, before the first byte."""
        every = {
            "components": components.component_rows,
            "records_page": records.dimension_records_rows,
            "mapping_records_page": records.mapping_records_rows,
            "preview": dataset_rows.preview_rows,
        }[question]
        found, rows = every(self.registry, *args, **options)
        return downloads.encode((plain(r) for r in rows), format, columns or found)

    def fraction_check(self, mapping_id: str, version: str | None = None) -> dict:
        return plain(records.fraction_check(self.registry, mapping_id, version))

    def mapping_flows(self, mapping_id: str, version: str | None = None, max_nodes: int = 40):
        return plain(records.mapping_flows(self.registry, mapping_id, version, max_nodes=max_nodes))

    def dataset_facts(self, dataset_id: str, version: str | None = None) -> dict:
        return plain(datasets.dataset_facts(self.registry, dataset_id, version))

    def preview(self, dataset_id: str, version: str | None = None, **options) -> Page:
        return _plain_page(datasets.preview(self.registry, dataset_id, version, **options))

    def coverage(self, dataset_id: str, version: str | None = None, *, x: str, y: str):
        return plain(datasets.coverage(self.registry, dataset_id, version, x=x, y=y))

    def load_profile(self, dataset_id: str, version: str | None = None, **options):
        return plain(datasets.load_profile(self.registry, dataset_id, version, **options))

    def project_overview(self, project_id: str, version: str | None = None) -> dict:
        return plain(projects.project_overview(self.registry, project_id, version))

    def project_coverage(self, project_id: str, dataset_id: str, **options) -> dict[str, Any]:
        return plain(projects.project_coverage(self.registry, project_id, dataset_id, **options))

    # --- queries ---------------------------------------------------------------------------
    def query_choices(self, project_id: str) -> dict[str, Any]:
        from dsgrid_core.query.choices import project_choices  # late: pydantic

        return plain(project_choices(self.registry, project_id))

    def query_records(self, project_id: str, dimension_type: str, name: str) -> list[dict]:
        from dsgrid_core.query.choices import dimension_records  # late: pydantic

        return plain(dimension_records(self.registry, project_id, dimension_type, name))

    def submit_query(
        self, query: dict[str, Any], *, wait: float = 0.0, source: str = "the query", **options
    ) -> str:
        from dsgrid_core.jobs.submit import submit_query_job  # late: pydantic

        return submit_query_job(self.registry, query, source, wait=wait, **options)

    def jobs(self, limit: int = 20) -> list[dict[str, Any]]:
        store = JobStore(Path(self.registry.path))
        try:
            store.mark_interrupted()
            return plain([job_answer(job) for job in store.list(limit)])
        finally:
            store.close()

    def _job(self, job_id: str):
        store = JobStore(Path(self.registry.path))
        try:
            return store.get(job_id)
        finally:
            store.close()

    def job(self, job_id: str) -> dict[str, Any] | None:
        job = self._job(job_id)
        return None if job is None else plain(job_answer(job))

    def cancel_job(self, job_id: str) -> None:
        cancel_job(Path(self.registry.path), job_id)

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
        return registrations.start_registration(
            self.registry.path,
            kind,
            config,
            config_name=config_name,
            log_message=log_message,
            files=files,
            params=params,
        )

    def result_table(self, job_id: str) -> Path:
        """The Parquet file of a finished query job (NotFoundError or ConflictError else)."""
        job = self._job(job_id)
        if job is None or job.kind != "query":
            raise NotFoundError(f"no query job '{job_id}'.")
        if job.status != "succeeded" or not job.result_path:
            raise ConflictError(
                f"job {job_id} is {job.status}; a result exists once it has succeeded"
                + (f" (error: {public_error(job)})" if job.error else "")
                + "."
            )
        path = Path(job.result_path) / RESULT_TABLE
        if not path.is_file():
            raise NotFoundError(
                f"the result of job {job_id} is no longer on the server; run the query again."
            )
        return path

    def result_page(self, job_id: str, **options) -> Page:
        page = results.result_page(self.result_table(job_id), cell=results.iso_cell, **options)
        return _plain_page(page)

    def result_file(self, job_id: str, format: str) -> bytes:
        path = self.result_table(job_id)
        if format == "parquet":
            return path.read_bytes()
        if format == "csv":
            return results.csv_bytes(path)
        raise InputError(f"a result downloads as csv or parquet, not '{format}'.")

    def result_ndjson(self, job_id: str) -> Iterator[str]:
        """As `Viewer.result_ndjson`, read from the file in batches (not page after page)."""
        path = self.result_table(job_id)
        check_text_rows(parquet_pages.row_count(path))
        columns = list(results.result_columns(path))
        return downloads.encode(_file_rows(path), "ndjson", columns)


def _file_rows(path: Path) -> Iterator[dict[str, Any]]:
    """Every row of a result file, its cells as a JSON page gives them."""
    import pyarrow.parquet as pq  # late: pyarrow

    with pq.ParquetFile(path) as file:
        for batch in file.iter_batches(batch_size=parquet_pages.BATCH_ROWS, use_threads=False):
            for row in batch.to_pylist():
                yield {c: results.iso_cell(v) for c, v in row.items()}
