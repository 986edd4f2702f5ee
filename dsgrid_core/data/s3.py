"""Talking to an S3-compatible object store (AWS S3, MinIO, Ceph): ``s3://bucket/prefix`` URLs,
the connection settings, clients, and errors a user can act on.

Where to connect comes from the environment, as every AWS tool reads it: credentials from
AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY / AWS_SESSION_TOKEN or the profile AWS_PROFILE names
(``~/.aws/credentials``, SSO, instance roles: boto3's usual chain), the region from AWS_REGION
(or AWS_DEFAULT_REGION), and an endpoint other than AWS from DSGRID_S3_ENDPOINT, else
AWS_ENDPOINT_URL_S3 or AWS_ENDPOINT_URL. Nothing here writes credentials anywhere: they live in
the clients of this process only, and every message is scrubbed of them before it is shown.

boto3 does the object work (list, put, copy, delete: exact S3 semantics, no directory marker
objects); pyarrow's S3 filesystem, given the credentials boto3 resolved, serves DuckDB's scans.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from dsgrid_core import settings
from dsgrid_core.errors import InputError

SCHEME = "s3"
INSTALL_HINT = "pip install 'dsgrid-viewer[s3]'"
# S3's bucket names: 3 to 63 lower-case letters, digits, dots and hyphens.
BUCKET_NAME = re.compile(r"[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]")
CREDENTIAL_VARIABLES = ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN")


def is_s3_url(location: Any) -> bool:
    return isinstance(location, str) and location.strip().lower().startswith(f"{SCHEME}://")


@dataclass(frozen=True)
class S3Url:
    """``s3://bucket[/prefix]``: where a registry's data lives. Never holds credentials."""

    bucket: str
    prefix: str  # without leading or trailing '/'; '' for the bucket's root

    @classmethod
    def parse(cls, text: str) -> S3Url:
        text = str(text).strip()
        parts = urlsplit(text)
        if parts.scheme.lower() != SCHEME:
            raise InputError(f"{text}: an object-store location starts with s3://.")
        if parts.username is not None or parts.password is not None:
            # The URL is not repeated: it holds a secret.
            raise InputError(
                "an s3:// data root must not hold credentials: write s3://bucket/prefix and give "
                "the keys in AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (or AWS_PROFILE)."
            )
        if parts.query or parts.fragment:
            raise InputError(f"{text}: an s3:// data root takes no ?query or #fragment.")
        bucket = parts.netloc
        if not BUCKET_NAME.fullmatch(bucket) or ".." in bucket:
            raise InputError(
                f"{text}: '{bucket}' is not an S3 bucket name (3 to 63 lower-case letters, "
                "digits, dots and hyphens); write s3://bucket/prefix."
            )
        prefix = parts.path.strip("/")
        segments = prefix.split("/") if prefix else []
        if any(s in ("", ".", "..") for s in segments):
            raise InputError(f"{text}: the prefix has an empty, '.' or '..' part.")
        return cls(bucket=bucket, prefix=prefix)

    def key(self, relative: str = "") -> str:
        """The object key of a path relative to the prefix ('' gives the prefix itself,
        ending in '/', for listing)."""
        relative = relative.strip("/")
        base = f"{self.prefix}/" if self.prefix else ""
        return base + relative if relative else base

    def url(self, relative: str = "") -> str:
        return f"{SCHEME}://{self.bucket}/{self.key(relative)}".rstrip("/")

    def __str__(self) -> str:
        return self.url()


@dataclass(frozen=True)
class S3Settings:
    """Where to connect (never the credentials themselves)."""

    endpoint: str | None  # http(s)://host:port of MinIO, Ceph, moto; None for AWS
    region: str | None

    @classmethod
    def from_env(cls) -> S3Settings:
        endpoint = (
            settings.get("DSGRID_S3_ENDPOINT")
            or os.environ.get("AWS_ENDPOINT_URL_S3")
            or os.environ.get("AWS_ENDPOINT_URL")
            or None
        )
        if endpoint:
            parts = urlsplit(endpoint.strip())
            if parts.scheme not in ("http", "https") or not parts.hostname:
                raise InputError(
                    f"the S3 endpoint '{endpoint}' is not an http(s)://host:port URL "
                    "(DSGRID_S3_ENDPOINT or AWS_ENDPOINT_URL)."
                )
            if parts.username is not None or parts.password is not None:
                raise InputError(
                    "the S3 endpoint URL must not hold credentials (DSGRID_S3_ENDPOINT or "
                    "AWS_ENDPOINT_URL); give them in AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY."
                )
            endpoint = f"{parts.scheme}://{parts.netloc}"
        region = os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION") or None
        return cls(endpoint=endpoint, region=region)

    @property
    def endpoint_parts(self) -> tuple[str, str] | None:
        """(scheme, host:port) of the endpoint, as pyarrow takes it."""
        if not self.endpoint:
            return None
        parts = urlsplit(self.endpoint)
        return parts.scheme, parts.netloc


# --- secrets never shown -------------------------------------------------------------------


def _secrets() -> list[str]:
    values = [os.environ.get(name) for name in CREDENTIAL_VARIABLES]
    return [v for v in values if v and len(v) >= 4]


def scrub(text: str, extra: tuple[str, ...] = ()) -> str:
    """``text`` with every credential this process knows replaced by '***'."""
    for secret in sorted({*_secrets(), *(e for e in extra if e and len(e) >= 4)}, key=len)[::-1]:
        text = text.replace(secret, "***")
    return text


def _error_text(exc: BaseException) -> str:
    """One line about an S3 failure: the service's code and message, or the client's."""
    response = getattr(exc, "response", None)
    if isinstance(response, dict) and "Error" in response:
        error = response["Error"]
        code = error.get("Code") or "error"
        message = error.get("Message") or ""
        status = response.get("ResponseMetadata", {}).get("HTTPStatusCode")
        status_text = f" (HTTP {status})" if status else ""
        text = f"{code}{status_text}{': ' + message if message else ''}"
    else:
        text = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    return scrub(text)[:300]


def _hint(exc: BaseException) -> str:
    code = ""
    response = getattr(exc, "response", None)
    if isinstance(response, dict):
        code = str(response.get("Error", {}).get("Code", ""))
    name = type(exc).__name__
    if code in ("NoSuchBucket",):
        return " Create the bucket first, or check the data root's bucket name."
    if code in ("AccessDenied", "InvalidAccessKeyId", "SignatureDoesNotMatch", "403"):
        return (
            " Check the credentials (AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or "
            "AWS_PROFILE) and their rights on the bucket."
        )
    if name in ("NoCredentialsError", "PartialCredentialsError"):
        return (
            " Give credentials in AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or name a "
            "profile in AWS_PROFILE."
        )
    if name in ("EndpointConnectionError", "ConnectTimeoutError", "ConnectionClosedError"):
        return (
            " Is the endpoint right (DSGRID_S3_ENDPOINT or AWS_ENDPOINT_URL) and reachable "
            "from this machine?"
        )
    return ""


@contextlib.contextmanager
def s3_errors(what: str) -> Iterator[None]:
    """Turn the failures of S3 calls into one readable InputError (no credentials in it)."""
    try:
        yield
    except InputError:
        raise
    except Exception as exc:  # noqa: BLE001 - boto3, botocore and pyarrow raise many types
        if not _is_s3_failure(exc):
            raise
        raise InputError(f"S3: cannot {what}: {_error_text(exc)}.{_hint(exc)}") from None


def _is_s3_failure(exc: BaseException) -> bool:
    module = type(exc).__module__ or ""
    return (
        module.startswith(("botocore", "boto3", "s3transfer", "urllib3"))
        or isinstance(exc, OSError | ConnectionError)
        or "pyarrow" in module
    )


# --- clients ----------------------------------------------------------------------------------

_LOCK = threading.Lock()
_CLIENTS: dict[tuple, Any] = {}


def _cache_key(config: S3Settings) -> tuple:
    fingerprint = hashlib.sha256(
        "\0".join(os.environ.get(n, "") for n in (*CREDENTIAL_VARIABLES, "AWS_PROFILE")).encode()
    ).hexdigest()
    return (config.endpoint, config.region, fingerprint)


def _import_boto3():
    try:
        import boto3  # late: boto3 (optional)
        import botocore.config  # late: boto3 (optional)
    except ImportError:
        raise InputError(f"data on an object store (s3://) needs boto3: {INSTALL_HINT}.") from None
    return boto3, botocore.config


def session_and_client(config: S3Settings | None = None) -> tuple[Any, Any]:
    """A boto3 session and S3 client for the environment's settings; one per distinct
    settings and credentials in this process (boto3 clients are thread-safe)."""
    config = config or S3Settings.from_env()
    key = _cache_key(config)
    with _LOCK:
        if key in _CLIENTS:
            return _CLIENTS[key]
        boto3, botocore_config = _import_boto3()
        with s3_errors("read the AWS configuration (AWS_PROFILE, ~/.aws)"):
            session = boto3.session.Session(region_name=config.region)
        options: dict[str, Any] = {
            "config": botocore_config.Config(
                # Standard retries; AWS_MAX_ATTEMPTS (or the profile's max_attempts) still rules.
                retries={"mode": "standard"},
                # MinIO and Ceph want bucket names in the path, not the host name.
                s3={"addressing_style": "path" if config.endpoint else "auto"},
            )
        }
        if config.endpoint:
            options["endpoint_url"] = config.endpoint
        with s3_errors("make an S3 client"):
            client = session.client("s3", **options)
        _CLIENTS[key] = (session, client)
        return session, client


def client(config: S3Settings | None = None):
    return session_and_client(config)[1]


def credentials(config: S3Settings | None = None):
    """The credentials boto3 resolved (frozen: access_key, secret_key, token), or a clear
    error when there are none."""
    session, _ = session_and_client(config)
    with s3_errors("find AWS credentials"):
        found = session.get_credentials()
    if found is None:
        raise InputError(
            "S3: no credentials found. Give them in AWS_ACCESS_KEY_ID and "
            "AWS_SECRET_ACCESS_KEY (and AWS_SESSION_TOKEN for temporary ones), or name a "
            "profile in AWS_PROFILE."
        )
    return found.get_frozen_credentials()


def arrow_filesystem(url: S3Url, config: S3Settings | None = None):
    """pyarrow's S3 filesystem with the same endpoint, region and credentials as boto3."""
    import pyarrow.fs as pafs  # late: pyarrow

    config = config or S3Settings.from_env()
    frozen = credentials(config)
    options: dict[str, Any] = {
        "access_key": frozen.access_key,
        "secret_key": frozen.secret_key,
        "session_token": frozen.token,
    }
    if os.environ.get("AWS_CA_BUNDLE"):  # a private CA (Ceph, MinIO): as boto3 reads it
        options["tls_ca_file_path"] = os.environ["AWS_CA_BUNDLE"]
    endpoint = config.endpoint_parts
    if endpoint:
        options.update(scheme=endpoint[0], endpoint_override=endpoint[1])
        options["region"] = config.region or "us-east-1"
    else:
        with s3_errors(f"find the region of bucket {url.bucket}"):
            options["region"] = config.region or pafs.resolve_s3_region(url.bucket)
    with s3_errors("open pyarrow's S3 filesystem"):
        return pafs.S3FileSystem(**options)


def arrow_dataset(location: str):
    """A lazily read pyarrow dataset of one stored Parquet object (DuckDB pushes its
    projections and filters into the scan)."""
    import pyarrow.dataset as pads  # late: pyarrow

    parsed = urlsplit(location)
    url = S3Url.parse(f"{SCHEME}://{parsed.netloc}")
    key = parsed.path.lstrip("/")
    filesystem = arrow_filesystem(url)
    with s3_errors(f"read {location}"):
        return pads.dataset(f"{url.bucket}/{key}", format="parquet", filesystem=filesystem)


# --- Spark: s3a:// ----------------------------------------------------------------------------

S3A_CLASS = "org.apache.hadoop.fs.s3a.S3AFileSystem"


def s3a_url(location: str) -> str:
    """Hadoop reads S3 through the s3a:// connector."""
    if not is_s3_url(location):
        return location
    return "s3a://" + location.strip().split("://", 1)[1]


def s3a_settings(config: S3Settings, env: dict[str, str] | None = None) -> dict[str, str]:
    """Hadoop settings (fs.s3a.*) for the environment's S3 settings. Credentials are included
    only when given as environment variables (they then go to the session's Hadoop
    configuration, never to SQL settings); a profile names the SDK's profile provider."""
    env = dict(os.environ if env is None else env)
    out: dict[str, str] = {}
    if config.endpoint:
        out["fs.s3a.endpoint"] = config.endpoint
        out["fs.s3a.path.style.access"] = "true"
        out["fs.s3a.connection.ssl.enabled"] = str(config.endpoint.startswith("https")).lower()
    if config.region:
        out["fs.s3a.endpoint.region"] = config.region
    key, secret, token = (env.get(n) for n in CREDENTIAL_VARIABLES)
    if key and secret:
        out["fs.s3a.access.key"] = key
        out["fs.s3a.secret.key"] = secret
        if token:
            out["fs.s3a.session.token"] = token
            out["fs.s3a.aws.credentials.provider"] = (
                "org.apache.hadoop.fs.s3a.TemporaryAWSCredentialsProvider"
            )
        else:
            out["fs.s3a.aws.credentials.provider"] = (
                "org.apache.hadoop.fs.s3a.SimpleAWSCredentialsProvider"
            )
    elif env.get("AWS_PROFILE"):
        out["fs.s3a.aws.credentials.provider"] = (
            "software.amazon.awssdk.auth.credentials.ProfileCredentialsProvider"
        )
    return out


def bundled_hadoop_version() -> str | None:
    """The Hadoop version of the jars pyspark ships (hadoop-client-api-<version>.jar)."""
    try:
        import pyspark  # late: pyspark (optional)
    except ImportError:
        return None
    jars = os.path.join(os.path.dirname(pyspark.__file__), "jars")
    try:
        names = os.listdir(jars)
    except OSError:
        return None
    for name in sorted(names):
        found = re.fullmatch(r"hadoop-client-api-(\d+(?:\.\d+)+)\.jar", name)
        if found:
            return found.group(1)
    return None


def missing_s3a_message(hadoop_version: str | None) -> str:
    version = hadoop_version or "<your Spark's Hadoop version>"
    return (
        "Spark cannot read data on s3://: the hadoop-aws connector "
        f"({S3A_CLASS}) is not on Spark's classpath. Add "
        f"spark.jars.packages org.apache.hadoop:hadoop-aws:{version} (the Hadoop version "
        "pyspark bundles; it brings the AWS SDK bundle) to spark-defaults.conf, or start with "
        f"PYSPARK_SUBMIT_ARGS='--packages org.apache.hadoop:hadoop-aws:{version} "
        "pyspark-shell'; or query with --engine duckdb."
    )
