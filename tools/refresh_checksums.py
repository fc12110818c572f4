"""Record each bundled file's size and SHA-256 in data/datapackage.json.

Run after changing a data file on purpose: `python tools/refresh_checksums.py`.
The test suite fails when a file and its recorded checksum disagree, so an accidental edit
(a spreadsheet re-saving a CSV, say) is caught before it reaches a classroom.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

DATA = Path(__file__).resolve().parents[1] / "data"


def main() -> None:
    package_file = DATA / "datapackage.json"
    package = json.loads(package_file.read_text(encoding="utf-8"))
    for res in package["resources"]:
        raw = (DATA / res["path"]).read_bytes()
        res["bytes"] = len(raw)
        res["hash"] = "sha256:" + hashlib.sha256(raw).hexdigest()
    text = json.dumps(package, ensure_ascii=False, indent=2) + "\n"
    package_file.write_text(text, encoding="utf-8")
    print(f"updated {len(package['resources'])} resources in {package_file}")


if __name__ == "__main__":
    main()
