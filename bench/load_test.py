"""Load test: concurrent API clients mixing reads, queries and registrations against a real
server on loopback, for a bounded time; then `dsgrid registry check`.

    python bench/load_test.py [--clients 8] [--duration 120] [--server gunicorn|serve]
                              [--workers 2] [--registry DIR] [--markdown FILE]

The server runs on a copy of a demo registry (built with `dsgrid demo` when --registry is not
given) on 127.0.0.1 only. Each client loops: 70% reads (summary, lists, records pages,
dataset preview, coverage, search), 20% queries (start a job, poll it, fetch a page of its
result), 10% registrations (a small dimension with a unique name, through
POST /api/v1/registrations, polled to the end). Reported: requests, throughput, p50 / p99
latency per kind, errors (goal: 0), and whether the registry is whole afterwards.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
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

import common  # bench/ is the script's folder

REPO = Path(__file__).resolve().parent.parent
TOKEN = "load-test-token"  # noqa: S105 - a throwaway token for a loopback server


class Client:
    def __init__(self, base: str):
        self.base = base

    def call(self, method: str, path: str, body: dict | None = None):
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(  # noqa: S310 - loopback URL built here
            self.base + path,
            data=data,
            method=method,
            headers={"Content-Type": "application/json", "Authorization": f"Bearer {TOKEN}"},
        )
        try:
            with urllib.request.urlopen(request, timeout=120) as response:  # noqa: S310
                return response.status, json.loads(response.read() or b"null")
        except urllib.error.HTTPError as exc:
            return exc.code, json.loads(exc.read() or b"null")


class Recorder:
    def __init__(self):
        self.lock = threading.Lock()
        self.latencies: dict[str, list[float]] = {}
        self.errors: list[str] = []

    def timed(self, kind: str, fn):
        start = time.perf_counter()
        try:
            ok, detail = fn()
        except Exception as exc:  # noqa: BLE001 - counted as an error, reported
            ok, detail = False, f"{type(exc).__name__}: {exc}"
        elapsed = time.perf_counter() - start
        with self.lock:
            self.latencies.setdefault(kind, []).append(elapsed)
            if not ok:
                self.errors.append(f"{kind}: {detail}")


def read_paths(client: Client) -> list[str]:
    _, dims = client.call("GET", "/api/v1/dimensions?limit=50")
    dimension_ids = [d["id"] for d in dims["data"]]
    return [
        "/api/v1/summary",
        "/api/v1/projects",
        "/api/v1/datasets?limit=10",
        "/api/v1/dimensions?limit=20&sort=-name",
        "/api/v1/search?q=county",
        "/api/v1/projects/demo_us_buildings/overview",
        "/api/v1/datasets/demo_comstock_like/preview?limit=100&filter=metric:exact:com_heating",
        "/api/v1/datasets/demo_comstock_like/coverage",
        *[f"/api/v1/dimensions/{d}/records?limit=100" for d in dimension_ids[:6]],
    ]


QUERIES = [
    {"geography": ["Demo States"], "metric": ["Demo End Uses"]},
    {"geography": ["Demo Balancing Areas"], "scenario": ["Demo Scenarios"]},
    {"sector": ["sector"], "time": [{"dimension_name": "time", "function": "start_of_month"}]},
]


def run_query(client: Client, rng: random.Random):
    dims = rng.choice(QUERIES)
    query = {
        "name": "load",
        "project": {
            "project_id": "demo_us_buildings",
            "dataset": {
                "dataset_id": "load",
                "source_datasets": [
                    {"dataset_id": "demo_comstock_like"},
                    {"dataset_id": "demo_resstock_like"},
                ],
            },
        },
        "result": {"aggregations": [{"dimensions": dims}], "unit": "kWh"},
    }
    status, body = client.call(
        "POST", "/api/v1/queries", {"query": query, "use_cache": rng.random() < 0.5}
    )
    if status != 202:
        return False, f"start {status} {body}"
    return wait_job(client, body["data"]["id"], result=True)


def wait_job(client: Client, job_id: str, result: bool = False):
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        status, body = client.call("GET", f"/api/v1/jobs/{job_id}")
        job = body["data"]
        if job["status"] == "succeeded":
            if result:
                status, page = client.call("GET", f"/api/v1/jobs/{job_id}/result?limit=20")
                return status == 200, f"result {status}"
            return True, ""
        if job["status"] in ("failed", "cancelled"):
            return False, f"job {job['status']}: {job['error']}"
        time.sleep(0.05)
    return False, "job did not end in 120 s"


def register(client: Client, tag: str):
    config = {
        "type": "scenario",
        "class": "Scenario",
        "name": f"Load scenarios {tag}",
        "description": "made by the load test",
        "records": [{"id": f"s_{tag}_{i}", "name": f"scenario {i}"} for i in range(20)],
    }
    status, body = client.call(
        "POST",
        "/api/v1/registrations",
        {"kind": "dimension", "config": config, "log_message": "load test"},
    )
    if status != 202:
        return False, f"start {status} {body}"
    return wait_job(client, body["data"]["id"])


def worker(number: int, client: Client, paths: list[str], recorder: Recorder, stop: float):
    rng = random.Random(number)  # noqa: S311 - a workload mix, not a secret
    serial = 0
    while time.monotonic() < stop:
        draw = rng.random()
        if draw < 0.7:
            path = rng.choice(paths)
            recorder.timed("read", lambda p=path: (client.call("GET", p)[0] == 200, p))
        elif draw < 0.9:
            recorder.timed("query", lambda: run_query(client, rng))
        else:
            serial += 1
            tag = f"{number}_{serial}"
            recorder.timed("registration", lambda t=tag: register(client, t))


def server_tracebacks(log: str) -> list[str]:
    """Each traceback in the server's log, as one block of text."""
    blocks, current = [], None
    for line in log.splitlines():
        if line.startswith("Traceback (most recent call last)"):
            current = [line]
            blocks.append(current)
        elif current is not None:
            current.append(line)
            if line and not line.startswith((" ", "Traceback", "During", "The above")):
                current = None
    return ["\n".join(block) for block in blocks]


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, int(round(q * (len(ordered) - 1)))))
    return ordered[index]


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--duration", type=float, default=120.0)
    parser.add_argument("--server", choices=["gunicorn", "serve"], default="gunicorn")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--registry", type=Path, help="a demo registry to copy")
    parser.add_argument("--markdown", type=Path)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="dsgrid-load-") as tmp:
        tmp = Path(tmp)
        registry = tmp / "registry"
        if args.registry:
            shutil.copytree(args.registry, registry)
        else:
            subprocess.run(  # noqa: S603 - our own CLI
                [sys.executable, "-m", "dsgrid_core.cli.main", "demo", str(registry)],
                check=True,
                capture_output=True,
            )
        port = common.free_port()
        env = {
            **os.environ,
            "DSGRID_REGISTRY": str(registry),
            "DSGRID_API_TOKEN": TOKEN,
            "DSGRID_CACHE_DIR": str(tmp / "webcache"),
            "DSGRID_UPLOAD_DIR": str(tmp / "uploads"),
        }
        if args.server == "gunicorn":
            command = [
                sys.executable, "-m", "gunicorn", "--bind", f"127.0.0.1:{port}",
                "--workers", str(args.workers), "--threads", "4", "--timeout", "120",
                "app:server",
            ]  # fmt: skip
        else:
            command = [sys.executable, "-m", "dsgrid_core.cli.main", "serve", "--port", str(port)]
        server_log = (tmp / "server.log").open("w")
        server = subprocess.Popen(  # noqa: S603 - our own server on loopback
            command,
            env=env,
            cwd=REPO,
            stdout=server_log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        client = Client(f"http://127.0.0.1:{port}")
        try:
            deadline = time.monotonic() + 60
            while True:
                try:
                    if client.call("GET", "/api/v1/health")[0] == 200:
                        break
                except OSError:
                    pass
                if time.monotonic() > deadline or server.poll() is not None:
                    raise SystemExit("the server did not start")
                time.sleep(0.2)
            paths = read_paths(client)
            recorder = Recorder()
            stop = time.monotonic() + args.duration
            started = time.monotonic()
            threads = [
                threading.Thread(target=worker, args=(i, client, paths, recorder, stop))
                for i in range(args.clients)
            ]
            for t in threads:
                t.start()
            for t in threads:
                t.join()
            elapsed = time.monotonic() - started
        finally:
            os.killpg(server.pid, signal.SIGTERM)
            server.wait(timeout=30)
            server_log.close()
        tracebacks = server_tracebacks((tmp / "server.log").read_text())
        check = subprocess.run(  # noqa: S603 - our own CLI
            [sys.executable, "-m", "dsgrid_core.cli.main", "--registry", str(registry),
             "--json", "registry", "check"],
            capture_output=True,
            text=True,
        )  # fmt: skip
        report = json.loads(check.stdout)

    total = sum(len(v) for v in recorder.latencies.values())
    lines = [
        f"{args.clients} clients for {elapsed:.0f} s against {args.server}"
        + (f" ({args.workers} workers x 4 threads)" if args.server == "gunicorn" else ""),
        "",
        "| kind | requests | per second | p50 (ms) | p99 (ms) |",
        "|---|---:|---:|---:|---:|",
    ]
    for kind, values in sorted(recorder.latencies.items()):
        lines.append(
            f"| {kind} | {len(values)} | {len(values) / elapsed:.1f} | "
            f"{statistics.median(values) * 1000:.0f} | {percentile(values, 0.99) * 1000:.0f} |"
        )
    lines += [
        f"| all | {total} | {total / elapsed:.1f} | | |",
        "",
        f"- errors: {len(recorder.errors)}",
        f"- registry check afterwards: {'whole' if report['ok'] else 'PROBLEMS'} "
        f"({report['counted']['components']} components, {report['counted']['versions']} "
        "versions)",
    ]
    lines += [f"  - {e}" for e in recorder.errors[:20]]
    if tracebacks:
        lines.append(f"- tracebacks in the server log: {len(tracebacks)}")
        kinds: dict[str, int] = {}
        for block in tracebacks:
            where = next(
                (ln.strip() for ln in block.splitlines() if ln.strip().startswith('File "')), ""
            )
            key = f"{block.splitlines()[-1].split(':')[0]} at {where}"
            kinds[key] = kinds.get(key, 0) + 1
        lines += [f"  - {count} x {key}" for key, count in sorted(kinds.items())]
    if not report["ok"]:
        lines += [f"  - {f['area']}: {f['where']}: {f['what']}" for f in report["findings"]]
    text = "\n".join(lines) + "\n"
    print(text)
    if args.markdown:
        args.markdown.write_text(text)
    if recorder.errors or not report["ok"]:
        sys.exit(1)


if __name__ == "__main__":
    main()
