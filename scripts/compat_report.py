"""Write docs/compatibility.md: this project against the reference (dsgrid-toolkit 0.4.0)
on every dsgrid config we have. Runs the comparison of tests/compat (the reference from
DSGRID_REFERENCE_VENV, default .venv-reference; scripts/test.sh makes it).

    python scripts/compat_report.py            # rewrite the page
    python scripts/compat_report.py --check    # exit 1 when the page is out of date
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PAGE = ROOT / "docs" / "compatibility.md"
sys.path.insert(0, str(ROOT / "tests" / "compat"))
sys.path.insert(0, str(ROOT))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="only compare with the page")
    args = parser.parse_args()

    from compat_compare import all_rows, reference_python, reference_venv
    from compat_page import render

    if reference_python() is None:
        print(f"reference venv not found at {reference_venv()}", file=sys.stderr)
        return 2
    text = render(all_rows())
    if args.check:
        if PAGE.exists() and PAGE.read_text(encoding="utf-8") == text:
            return 0
        print(f"{PAGE} is out of date: run python scripts/compat_report.py", file=sys.stderr)
        return 1
    PAGE.write_text(text, encoding="utf-8")
    print(f"wrote {PAGE}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
