"""Vendor axe-core, the accessibility checker the browser tests run inside each page.

    cd /tmp && npm pack axe-core@<version>
    python scripts/vendor_axe.py /tmp/axe-core-<version>.tgz

Writes into tests/browser/vendor/: ``axe.min.js`` (injected into pages by
tests/browser/test_accessibility.py, never served by the app), its license (MPL-2.0) and the
licenses of what it bundles, and a README line naming the version and the source. Nothing is
fetched from a CDN: the tests run offline.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import tarfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
TARGET = REPO / "tests" / "browser" / "vendor"
FILES = {
    "package/axe.min.js": "axe.min.js",
    "package/LICENSE": "LICENSE-axe-core",
    "package/LICENSE-3RD-PARTY.txt": "LICENSE-axe-core-3RD-PARTY.txt",
}


def _member(archive: tarfile.TarFile, name: str) -> bytes:
    handle = archive.extractfile(name)
    if handle is None:
        raise SystemExit(f"{name} is not a file in the tarball: is it npm's axe-core package?")
    return handle.read()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("tarball", type=Path, help="axe-core-<version>.tgz from `npm pack`")
    args = parser.parse_args()
    TARGET.mkdir(parents=True, exist_ok=True)
    with tarfile.open(args.tarball) as archive:
        version = json.loads(_member(archive, "package/package.json"))["version"]
        for member, name in FILES.items():
            (TARGET / name).write_bytes(_member(archive, member))
    digest = hashlib.sha256((TARGET / "axe.min.js").read_bytes()).hexdigest()
    (TARGET / "README.md").write_text(
        "# Vendored for the browser tests\n\n"
        f"- `axe.min.js`: axe-core {version} (Deque Systems, MPL-2.0: `LICENSE-axe-core`; what it "
        "bundles: `LICENSE-axe-core-3RD-PARTY.txt`), from npm (`npm pack axe-core@"
        f"{version}`), unchanged; sha256 {digest}. Injected into each page by "
        "`test_accessibility.py`; the app never serves it. Re-vendor with "
        "`scripts/vendor_axe.py`.\n"
    )
    print(f"axe-core {version} -> {TARGET}")


if __name__ == "__main__":
    main()
