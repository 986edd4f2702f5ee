"""Every runtime setting in one table: name, default, what it does. Code reads settings through
`get`, the docs are generated from `SETTINGS`, and a test fails when code reads an environment
variable that is not here."""

from __future__ import annotations

import os
from dataclasses import dataclass


@dataclass(frozen=True)
class Setting:
    name: str
    default: str | None
    help: str
    area: str  # registry, queries, spark, server, uploads, scripts


SETTINGS: tuple[Setting, ...] = (
    Setting(
        "DSGRID_REGISTRY",
        None,
        "Registry used when --registry is not given: a folder, or an ArangoDB URL "
        "arangodb://[user@]host:port/database (arangodbs:// for https).",
        "registry",
    ),
    Setting(
        "DSGRID_DATA_ROOTS",
        None,
        "More folders configs may read data from (separated by ':'); a config's own folder "
        "is always allowed.",
        "registry",
    ),
    Setting(
        "DSGRID_SUMMARY_SHARE",
        "0.05",
        "Largest share of a dataset table's bytes its summaries (sums over time, per local "
        "month, week and day, and those over geography or over sector, subsector and the "
        "metrics of each unit) "
        "may take together, written at "
        "registration: those that do not fit are not kept, and queries they would answer read "
        "the table.",
        "registry",
    ),
    Setting("DSGRID_ENGINE", "duckdb", "Query engine: duckdb or spark.", "queries"),
    Setting(
        "DSGRID_DUCKDB_MEMORY_LIMIT",
        None,
        "DuckDB's memory limit for a query (e.g. 4GB); a query needing more stops with a "
        "message naming this setting. Unset: DuckDB's own (80% of memory) on the command "
        "line, DSGRID_SERVER_DUCKDB_MEMORY_LIMIT in the web server and its jobs.",
        "queries",
    ),
    Setting(
        "DSGRID_SERVER_DUCKDB_MEMORY_LIMIT",
        "1GB",
        "DuckDB's memory limit for each query the web server runs (its API and pages, the "
        "query jobs it or a `dsgrid worker` runs) when DSGRID_DUCKDB_MEMORY_LIMIT is not set; "
        "keep (workers x this) within the server's memory.",
        "server",
    ),
    Setting(
        "DSGRID_PAGE_DUCKDB_MEMORY_LIMIT",
        "256MB",
        "DuckDB's memory limit for reading one filtered or sorted page of a query result or "
        "a dataset preview (unfiltered pages read only the row groups they show).",
        "server",
    ),
    Setting(
        "DSGRID_DUCKDB_THREADS", None, "DuckDB threads per query (default: all cores).", "queries"
    ),
    Setting(
        "DSGRID_CSV_ROW_CAP",
        "2000000",
        "Largest result written or served as CSV; larger results must be Parquet.",
        "queries",
    ),
    Setting(
        "DSGRID_QUERY_TIME_LIMIT",
        "3600",
        "Seconds a query started from the web server may run (the API's time_limit may ask "
        "for less, not more).",
        "queries",
    ),
    Setting(
        "DSGRID_SPARK_MASTER",
        "local[*]",
        "Spark master for --engine spark: local[*], spark://host:7077 or a Spark Connect "
        "server sc://host:15002.",
        "spark",
    ),
    Setting("DSGRID_SPARK_DRIVER_MEMORY", "4g", "Driver memory of a local Spark session.", "spark"),
    Setting(
        "DSGRID_SPARK_SHUFFLE_PARTITIONS",
        "8",
        "spark.sql.shuffle.partitions of a local session.",
        "spark",
    ),
    Setting(
        "DSGRID_API_URL",
        None,
        "A dsgrid-viewer server whose registry the viewer shows through its /api/v1, when no "
        "registry folder is given (`dsgrid serve --api-url`; for gunicorn).",
        "server",
    ),
    Setting(
        "DSGRID_API_URL_TOKEN",
        None,
        "Access token of the server `dsgrid serve --api-url URL` shows (its DSGRID_API_TOKEN), "
        "sent with the queries this viewer starts there.",
        "server",
    ),
    Setting(
        "DSGRID_API_TOKEN",
        None,
        "Access token for changes through the web server (forms and write routes) when it can "
        "be reached from other machines; without it such a server makes no changes.",
        "server",
    ),
    Setting(
        "DSGRID_SECRET_KEY",
        None,
        "Key signing the web session cookie; every worker of a team server needs the same "
        "(derived from DSGRID_API_TOKEN when unset).",
        "server",
    ),
    Setting(
        "DSGRID_ALLOWED_HOSTS",
        None,
        "Comma-separated host names the web server answers besides loopback and the "
        "`dsgrid serve --host` address (e.g. dsgrid.example.org; .example.org takes its "
        "subdomains; * takes any, for a proxy that checks Host itself); any other Host header "
        "gets 400 (DNS rebinding). Required behind gunicorn.",
        "server",
    ),
    Setting(
        "DSGRID_MAX_JSON_BODY_KB",
        "1024",
        "Largest JSON body the API takes (KiB); larger ones get 413 before they are read. "
        "Form uploads keep DSGRID_UPLOAD_LIMIT_MB.",
        "server",
    ),
    Setting(
        "DSGRID_CACHE_DIR",
        None,
        "Folder of the web server's read cache (default: a folder in ~/.cache/dsgrid-viewer); "
        "private to the server's user (mode 0700), since the server unpickles what it holds.",
        "server",
    ),
    Setting(
        "DSGRID_CACHE_REDIS_URL",
        None,
        "Keep the web server's read cache in Redis (redis://host:6379/0), shared by workers.",
        "server",
    ),
    Setting(
        "DSGRID_JOB_RUNNER",
        "thread",
        "Where the web server runs the jobs it starts: thread (in the worker that started "
        "them) or workers (left queued for `dsgrid worker` processes, which outlive web "
        "worker restarts).",
        "server",
    ),
    Setting(
        "DSGRID_UPLOAD_DIR",
        None,
        "Where form uploads are kept until their registration ends (default: a folder in "
        "~/.cache/dsgrid-viewer); private to the server's user (mode 0700), never inside the "
        "web root.",
        "uploads",
    ),
    Setting(
        "DSGRID_UPLOAD_LIMIT_MB",
        "512",
        "Largest file a form accepts; the server refuses larger requests itself (413).",
        "uploads",
    ),
    Setting(
        "DSGRID_DEMO_DIR",
        "~/dsgrid-demo",
        "Where scripts/start.sh builds the demo registry.",
        "scripts",
    ),
    Setting("DSGRID_HOST", "127.0.0.1", "Address scripts/start.sh serves on.", "scripts"),
    Setting("DSGRID_PORT", "8050", "Port scripts/start.sh serves on.", "scripts"),
    Setting(
        "DSGRID_VENV",
        ".venv",
        "The project virtual environment scripts/start.sh and scripts/test.sh both install "
        "into (made if missing).",
        "scripts",
    ),
    Setting(
        "DSGRID_BENCH_DIR",
        "~/dsgrid-bench",
        "Where the benchmarks keep their generated data.",
        "scripts",
    ),
    Setting(
        "DSGRID_ARANGO_PASSWORD",
        None,
        "Password of the user named in an arangodb:// registry URL (never put in the URL, "
        "never logged or shown).",
        "registry",
    ),
    Setting(
        "DSGRID_ARANGO_PASSWORD_FILE",
        None,
        "A file whose first line is that password (e.g. a mounted secret); used when "
        "DSGRID_ARANGO_PASSWORD is not set.",
        "registry",
    ),
    Setting(
        "DSGRID_REGISTRY_HOME",
        None,
        "Local folder of an arangodb:// registry's jobs table and result cache (default: "
        "~/.cache/dsgrid/arangodb-<host>-<port>-<database>); one folder per registry.",
        "registry",
    ),
    Setting(
        "DSGRID_S3_ENDPOINT",
        None,
        "Endpoint of an S3-compatible object store holding s3:// data roots, e.g. "
        "http://127.0.0.1:9000 for MinIO or Ceph (default: AWS_ENDPOINT_URL_S3, "
        "AWS_ENDPOINT_URL, else AWS itself). Credentials come only from the AWS environment "
        "variables or profile.",
        "registry",
    ),
    Setting(
        "DSGRID_TEST_DATA",
        "../shared/dsgrid-test-data",
        "dsgrid's test corpus, for the tests.",
        "scripts",
    ),
    Setting(
        "DSGRID_REFERENCE_VENV",
        ".venv-reference",
        "The venv holding the reference, dsgrid-toolkit 0.4.0 (scripts/test.sh makes it if "
        "missing), for the compatibility suite tests/compat (skipped without it).",
        "scripts",
    ),
    Setting(
        "DSGRID_REFERENCE_SPARK_VENV",
        ".venv-reference-spark",
        "The venv holding the reference with its Spark extra (dsgrid-toolkit[spark] 0.4.0), "
        "for bench/reference_demo_scale.py --engine spark only; no test needs it.",
        "scripts",
    ),
    Setting(
        "DSGRID_COMPAT_QUERY_ENGINES",
        "duckdb,spark,spark_connect,spark_cluster",
        "Our engines the differential query suite (tests/compat_queries) compares with the "
        "reference, comma-separated: duckdb, spark (local), spark_connect, spark_cluster.",
        "scripts",
    ),
    Setting(
        "DSGRID_TEST_EVERY_TRANSPORT_CASE",
        None,
        "1: the engine parity suite (tests/query) runs every case of a test parametrized beyond "
        "its engine on Spark Connect and the cluster too (by default they run its first case).",
        "scripts",
    ),
    Setting(
        "DSGRID_COMPAT_QUERY_ALL_CORPORA",
        None,
        "1: the differential query suite runs every corpus on every engine (by default test_efs "
        "runs on DuckDB, StandardScenarios on DuckDB and local Spark, and Spark Connect and the "
        "cluster are left to the engine parity suite).",
        "scripts",
    ),
    Setting(
        "DSGRID_TEST_ARANGO_URL",
        None,
        "An ArangoDB server (arangodb://user@host:port) on which the registry store's contract "
        "tests may create and drop throwaway databases (skipped without it).",
        "scripts",
    ),
    Setting(
        "DSGRID_UPDATE_SNAPSHOTS",
        None,
        "Set to 1 to rewrite the tests' stored SQL snapshots after a reviewed change.",
        "scripts",
    ),
    Setting(
        "DSGRID_TEST_S3_ENDPOINT",
        None,
        "An S3 endpoint (MinIO, Ceph) for the object-store tests instead of the local one.",
        "scripts",
    ),
)
BY_NAME = {s.name: s for s in SETTINGS}


def get(name: str) -> str | None:
    """The setting's value from the environment, else its default."""
    setting = BY_NAME[name]  # a KeyError here means: add the setting to SETTINGS
    value = os.environ.get(name)
    return value if value not in (None, "") else setting.default
