"""``python -m dsgrid_core.jobs.worker REGISTRY JOB_ID``: run one job in its own process.

SIGUSR1 (sent by `dsgrid query cancel`) interrupts the running statement."""

from __future__ import annotations

import signal
import sys
from pathlib import Path


def main(argv: list[str]) -> int:
    from dsgrid_core.jobs import runner

    registry, job_id = Path(argv[0]), argv[1]

    def on_cancel(signum, frame):
        engine = runner._RUNNING.get(job_id)
        if engine is not None:
            engine.interrupt()

    signal.signal(signal.SIGUSR1, on_cancel)
    status = runner.execute_job(registry, job_id)
    return 0 if status == "succeeded" else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
