"""Demo files: a dsgrid project with two datasets generated from real US geography.

`generate_demo_files(out_dir, scale, seed)` writes the project folder and a bulk registration
file; `expected_stacked_rows(scale)` says how many stacked rows the datasets hold. Both are
loaded lazily so that importing this package (for the CLI) stays cheap.
"""

from __future__ import annotations

__all__ = ["expected_rows_by_dataset", "expected_stacked_rows", "generate_demo_files"]


def __getattr__(name: str):
    if name == "generate_demo_files":
        from dsgrid_core.demo.generate import (  # late: keeps import dsgrid_core.demo cheap
            generate_demo_files,
        )

        return generate_demo_files
    if name in ("expected_stacked_rows", "expected_rows_by_dataset"):
        from dsgrid_core.demo import catalog  # late: keeps import dsgrid_core.demo cheap

        return getattr(catalog, name)
    raise AttributeError(name)
