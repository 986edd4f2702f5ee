"""Memory of the web server while clients page through a large query result.

Makes a Parquet result of ``--rows`` rows (dimension columns, a timestamp, a value; written by
DuckDB in row groups, as the query engine writes results), records a succeeded job whose
result it is in a fresh registry, starts the real server (`dsgrid --registry REG serve`) in a
subprocess and lets ``--clients`` concurrent clients fetch JSON pages of it
(`/api/v1/jobs/<id>/result`: limit=10 and limit=1000, at the start, the middle and near the
end, and the page after one through ``next`` when the server gives it). The server's resident
memory is sampled throughout; its peak minus its baseline (after a warm-up page of a small
result, so imports are not counted) is what paging costs.

    python bench/paged_results_memory.py [--rows 10500000] [--clients 6]

To measure other code (e.g. a pristine worktree), run with PYTHONPATH pointing at it: the
server subprocess inherits it, and the report says which dsgrid_core it ran. The server is
stopped when it passes ``--rss-cap-mb`` (the machine is shared), and the row says so.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

MB = 1024 * 1024


def make_result(path: Path, rows: int) -> None:
    """A result table like the engine's: COPY ... TO parquet (zstd), DuckDB's row groups."""
    import duckdb

    from dsgrid_core.sql import lit

    con = duckdb.connect()
    con.execute("SET memory_limit = '1GB'")
    con.execute("SET TimeZone = 'UTC'")
    con.execute("SET enable_progress_bar = false")
    select = (
        "SELECT 'state_' || (i // 8760 % 50) AS geography, "
        "'subsector_' || (i // 438000 % 12) AS subsector, "
        "'metric_' || (i // 5256000 % 4) AS metric, "
        "TIMESTAMPTZ '2012-01-01 00:00:00+00' + to_hours(i % 8760) AS timestamp, "
        "(hash(i) % 1000003)::DOUBLE / 7.0 AS value "
        f"FROM range({int(rows)}) t(i)"
    )
    con.execute(f"COPY ({select}) TO {lit(str(path))} (FORMAT parquet, COMPRESSION zstd)")
    con.close()


def make_registry(folder: Path, results: dict[str, Path]) -> dict[str, str]:
    """A fresh registry with one succeeded query job per result folder; name -> job id."""
    from dsgrid_core.jobs.store import JobStore

    subprocess.run(  # noqa: S603 - our own CLI
        [_dsgrid(), "registry", "create", str(folder)], check=True, capture_output=True
    )
    store = JobStore(folder)
    try:
        ids = {}
        for name, result in results.items():
            job = store.create("query", {"query": {"name": name}}, stages_total=1)
            store.finish(job.id, "succeeded", result_path=str(result))
            ids[name] = job.id
        return ids
    finally:
        store.close()


def _dsgrid() -> str:
    return str(Path(sys.executable).parent / "dsgrid")


def _status(pid: int) -> dict[str, int]:
    out = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        key, _, value = line.partition(":")
        if key in ("VmRSS", "VmHWM"):
            out[key] = int(value.split()[0]) * 1024
    return out


class Sampler(threading.Thread):
    """Samples the server's VmRSS every 10 ms; stops the server above ``cap`` bytes."""

    def __init__(self, pid: int, cap: int):
        super().__init__(daemon=True)
        self.pid, self.cap, self.peak, self.capped = pid, cap, 0, False
        self.stop = threading.Event()

    def run(self) -> None:
        while not self.stop.is_set():
            try:
                rss = _status(self.pid)["VmRSS"]
            except (FileNotFoundError, ProcessLookupError, KeyError):
                return
            self.peak = max(self.peak, rss)
            if rss > self.cap:
                self.capped = True
                os.kill(self.pid, signal.SIGKILL)
                return
            time.sleep(0.01)


def _get(url: str, timeout: float = 300) -> tuple[float, dict | None, str | None]:
    start = time.perf_counter()
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:  # noqa: S310 - localhost
            body = json.loads(response.read())
        return time.perf_counter() - start, body, None
    except (urllib.error.URLError, ConnectionError, TimeoutError, OSError) as exc:
        return time.perf_counter() - start, None, type(exc).__name__


def client_pages(base: str, job: str, rows: int) -> list[str]:
    """What one client asks for: small and large pages at the start, middle and end."""
    url = f"{base}/api/v1/jobs/{job}/result"
    return [
        f"{url}?limit=10",
        f"{url}?limit=1000",
        f"{url}?limit=10&offset={rows // 2}",
        f"{url}?limit=1000&offset={rows - 1500}",
        f"{url}?limit=10&offset={rows - 10}",
    ]


def run(args) -> dict:
    work = Path(args.workdir or tempfile.mkdtemp(prefix="dsgrid-paged-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    big, small = work / "big", work / "small"
    for folder in (big, small):
        folder.mkdir(exist_ok=True)
    if not (big / "table.parquet").exists() or args.remake:
        make_result(big / "table.parquet", args.rows)
    make_result(small / "table.parquet", 200)
    registry = work / f"registry-{os.getpid()}"
    jobs = make_registry(registry, {"big": big, "small": small})
    import pyarrow.parquet as pq

    meta = pq.read_metadata(big / "table.parquet")
    rows = meta.num_rows
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    code = subprocess.run(  # noqa: S603
        [sys.executable, "-c", "import dsgrid_core; print(dsgrid_core.__file__)"],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    server = subprocess.Popen(  # noqa: S603
        [
            _dsgrid(),
            "--registry",
            str(registry),
            "serve",
            "--host",
            "127.0.0.1",
            "--port",
            str(args.port),
        ],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{args.port}"
    try:
        deadline = time.monotonic() + 60
        while _get(f"{base}/api/v1/health", timeout=2)[1] is None:
            if time.monotonic() > deadline or server.poll() is not None:
                raise SystemExit("the server did not start")
            time.sleep(0.3)
        _get(f"{base}/api/v1/jobs/{jobs['small']}/result?limit=10")  # imports, first request
        time.sleep(0.5)
        baseline = _status(server.pid)["VmRSS"]
        sampler = Sampler(server.pid, args.rss_cap_mb * MB)
        sampler.start()
        latencies: list[float] = []
        errors: list[str] = []
        lock = threading.Lock()

        def client() -> None:
            for url in client_pages(base, jobs["big"], rows):
                seconds, body, error = _get(url)
                followed = None
                if body and (body.get("next") or (body.get("data") or {}).get("next")):
                    token = body.get("next") or body["data"]["next"]
                    followed = _get(url.split("?")[0] + f"?limit=10&next={token}")
                with lock:
                    (errors.append(error) if error else latencies.append(seconds))
                    if followed:
                        (
                            errors.append(followed[2])
                            if followed[2]
                            else latencies.append(followed[0])
                        )

        clients = [threading.Thread(target=client) for _ in range(args.clients)]
        started = time.perf_counter()
        for c in clients:
            c.start()
        for c in clients:
            c.join()
        wall = time.perf_counter() - started
        sampler.stop.set()
        sampler.join()
        peak = sampler.peak
        if not sampler.capped:
            peak = max(peak, _status(server.pid)["VmHWM"])
    finally:
        if server.poll() is None:
            server.send_signal(signal.SIGTERM)
            try:
                server.wait(10)
            except subprocess.TimeoutExpired:
                server.kill()
    return {
        "code": str(Path(code).parent.parent),
        "rows": rows,
        "row_groups": meta.num_row_groups,
        "clients": args.clients,
        "requests": len(latencies),
        "errors": len(errors),
        "baseline_mb": baseline / MB,
        "peak_mb": peak / MB,
        "added_mb": (peak - baseline) / MB,
        "capped": sampler.capped,
        "median_s": statistics.median(latencies) if latencies else float("nan"),
        "max_s": max(latencies) if latencies else float("nan"),
        "wall_s": wall,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=10_500_000)
    parser.add_argument("--clients", type=int, default=6)
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--workdir", help="keeps the generated result between runs")
    parser.add_argument("--remake", action="store_true", help="write the result again")
    parser.add_argument("--rss-cap-mb", type=int, default=4000)
    args = parser.parse_args()
    r = run(args)
    cap = f" (stopped above {args.rss_cap_mb} MB)" if r["capped"] else ""
    print(f"server code: {r['code']}")
    print(
        "| rows | row groups | clients | pages | errors | baseline RSS (MB) | peak RSS (MB) "
        "| added (MB) | median page (s) | slowest page (s) | wall (s) |"
    )
    print("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    print(
        f"| {r['rows']:,} | {r['row_groups']} | {r['clients']} | {r['requests']} "
        f"| {r['errors']} | {r['baseline_mb']:.0f} | {r['peak_mb']:.0f}{cap} "
        f"| {r['added_mb']:.0f} | {r['median_s']:.3f} | {r['max_s']:.3f} | {r['wall_s']:.1f} |"
    )


if __name__ == "__main__":
    main()
