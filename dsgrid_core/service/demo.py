"""A demo registry: realistic US building load data generated and registered in a new folder."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

from dsgrid_core.config.dimension import ENERGY_UNITS
from dsgrid_core.errors import InputError
from dsgrid_core.service.housekeeping import create_registry


def build_demo(
    path: str | Path,
    *,
    scale: str = "small",
    seed: int = 0,
    work_dir: str | Path | None = None,
    end_use_unit: str | None = None,
    progress: Callable[..., Any] | None = None,
) -> list[dict[str, Any]]:
    """Generate the demo's input files (in ``work_dir``, else a folder in ``path`` removed
    afterwards) and register them in a new registry at ``path``; the registered components.
    ``end_use_unit``: every end use written in that energy unit, the values unchanged (as real
    projects keep theirs; the demo mixes MWh, kWh, MBtu and therm on purpose). A failure
    leaves no registry folder behind."""
    from dsgrid_core.demo import generate_demo_files  # late: numpy, pandas
    from dsgrid_core.demo.generate import relabel_end_use_units  # late: numpy, pandas

    if end_use_unit is not None and end_use_unit not in ENERGY_UNITS:
        raise InputError(
            f"end use unit {end_use_unit!r} is not an energy unit: give one of "
            f"{', '.join(ENERGY_UNITS)}."
        )

    registry = create_registry(path)
    inputs = Path(work_dir) if work_dir else Path(path) / ".demo-input"
    try:
        if progress:
            progress("generating input files")
        bulk = generate_demo_files(inputs, scale=scale, seed=seed)
        if end_use_unit is not None:
            relabel_end_use_units(inputs, end_use_unit)
        return registry.bulk_register(
            bulk, log_message=f"demo registry ({scale})", progress=progress
        )
    except BaseException:
        registry.close()
        shutil.rmtree(path, ignore_errors=True)  # the folder was created here: leave nothing
        raise
    finally:
        registry.close()
        if not work_dir:
            shutil.rmtree(inputs, ignore_errors=True)
