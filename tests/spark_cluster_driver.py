"""The child process of tests/spark_cluster.py's ClusterQueryRunner: a classic SparkSession on a
standalone cluster (the master given as the one argument), then one query per line of stdin
(JSON: registry, query dict or file path, out folder) answered by one line of stdout (JSON:
ok and the result's metadata, or the error's type, message and details; tracebacks go to
stderr). The result's files
are copied to the out folder. Ends when stdin closes."""

from __future__ import annotations

import json
import shutil
import sys
import traceback
from pathlib import Path


def answer(message: dict) -> None:
    sys.stdout.write(json.dumps(message, default=str) + "\n")
    sys.stdout.flush()


def run(request: dict, master: str) -> dict:
    from dsgrid_core.errors import DsgridError
    from dsgrid_core.query.run import load_query, parse_query, run_query
    from dsgrid_core.registry.registry import Registry

    try:
        if request["path"]:
            query = load_query(Path(request["path"]))
        else:
            query = parse_query(request["query"])
        with Registry(Path(request["registry"]), read_only=True) as registry:
            result = run_query(
                registry,
                query,
                engine="spark",
                engine_options={"master": master},
                use_cache=False,
            )
        shutil.copytree(result.folder, request["out"])
        return {"ok": True, "metadata": result.metadata}
    except DsgridError as exc:
        return {
            "ok": False,
            "type": type(exc).__name__,
            "message": exc.message,
            "details": exc.details,
        }
    except Exception as exc:  # noqa: BLE001 - every failure goes back to the test
        traceback.print_exc()  # to the runner's driver.log
        return {"ok": False, "type": type(exc).__name__, "message": str(exc), "details": []}


def main() -> None:
    master = sys.argv[1]
    from dsgrid_core.engine.spark_engine import get_session, stop_sessions

    get_session(master)  # started before "ready": the first query is then timed like the rest
    answer({"ready": True})
    try:
        for line in sys.stdin:
            if line.strip():
                answer(run(json.loads(line), master))
    finally:
        stop_sessions()


if __name__ == "__main__":
    main()
