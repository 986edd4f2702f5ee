# dsgrid-viewer: the web viewer and API behind gunicorn, with the dsgrid CLI and Spark's Java.
#
#   docker build -t dsgrid-viewer .
#   docker run -p 8050:8050 -v /srv/dsgrid:/data -e DSGRID_API_TOKEN=... dsgrid-viewer
#
# The registry lives in the /data volume (created with `dsgrid registry create /data/registry`
# or `dsgrid demo /data/registry`). Not built on the project's build machine (no Docker engine
# there); linted with hadolint.

# --- build: wheels of the project and its dependencies ---------------------------------------
FROM python:3.11-slim-bookworm AS build
WORKDIR /src
COPY pyproject.toml README.md ./
COPY dsgrid_core ./dsgrid_core
COPY app ./app
RUN pip wheel --no-cache-dir --wheel-dir /wheels ".[spark]"

# --- run --------------------------------------------------------------------------------------
FROM python:3.11-slim-bookworm AS run
# Java 17 for the Spark engine (local mode); nothing else from apt.
RUN apt-get update \
    && apt-get install -y --no-install-recommends openjdk-17-jre-headless=17.* \
    && rm -rf /var/lib/apt/lists/*
COPY --from=build /wheels /wheels
RUN pip install --no-cache-dir --no-index --find-links=/wheels "dsgrid-viewer[spark]==0.1.0" \
    && rm -rf /wheels
RUN useradd --create-home --uid 10001 dsgrid \
    && mkdir -p /data \
    && chown dsgrid:dsgrid /data
USER 10001
WORKDIR /home/dsgrid
ENV DSGRID_REGISTRY=/data/registry \
    DSGRID_CACHE_DIR=/home/dsgrid/webcache \
    DSGRID_UPLOAD_DIR=/home/dsgrid/uploads \
    PYSPARK_PYTHON=python \
    SPARK_LOCAL_IP=127.0.0.1 \
    PYTHONUNBUFFERED=1
VOLUME ["/data"]
EXPOSE 8050
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
    CMD ["python", "-c", "import json,urllib.request as u; b=json.load(u.urlopen('http://127.0.0.1:8050/api/v1/health', timeout=4)); raise SystemExit(0 if b['ok'] else 1)"]
# Writes need DSGRID_API_TOKEN: the container is reachable from other machines.
CMD ["gunicorn", "--bind", "0.0.0.0:8050", "--workers", "2", "--threads", "4", "--timeout", "120", "app:server"]
