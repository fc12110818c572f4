"""Fetch the JavaScript that static HTML exports need, from the npm registry, pinned and checked.

Why vendored: an exported lesson must render from disk with no network, so require.js and
the Jupyter widgets HTML manager sit beside the HTML instead of coming from a CDN. They are
committed under `src/lessons/static/`; run this script only to change their versions.
(anywidget's AMD module is copied at export time from the installed Python package, so it
always matches the kernel side.)

    python tools/vendor_js.py
"""

from __future__ import annotations

import base64
import hashlib
import io
import tarfile
import urllib.request
from pathlib import Path

STATIC = Path(__file__).resolve().parents[1] / "src" / "lessons" / "static"
PACKAGES = {
    "requirejs": {
        "url": "https://registry.npmjs.org/requirejs/-/requirejs-2.3.8.tgz",
        "integrity": "sha512-7/cTSLOdYkNBNJcDMWf+luFvMriVm7eYxp4BcFCsAX0wF421Vyce5SXP17c+Jd5otXKGNehIonFlyQXSowL6Mw==",  # noqa: E501
        "files": {"package/require.js": "require.js"},
    },
    "@jupyter-widgets/html-manager": {
        "url": "https://registry.npmjs.org/@jupyter-widgets/html-manager/-/html-manager-1.0.15.tgz",
        "integrity": "sha512-5thBIV6ymNgmPVOHvzx+gGy8ZSKmSazhtGw4/c4xJDVzRhG9PTeQsRjF3FUTopvFi//SABeNz1yp47bCrJ3CQA==",  # noqa: E501
        "files": {
            "package/dist/embed-amd.js": "embed-amd.js",
            "package/dist/embed.js.LICENSE.txt": "embed-amd.js.LICENSE.txt",
            # Font Awesome (widget icons), woff2 only: every browser in use reads it
            "package/dist/1551f4f60c37af51121f.woff2": "1551f4f60c37af51121f.woff2",
            "package/dist/7a3337626410ca2f4071.woff2": "7a3337626410ca2f4071.woff2",
            "package/dist/d878b0a6a1144760244f.woff2": "d878b0a6a1144760244f.woff2",
        },
    },
}


def fetch(name: str, spec: dict) -> None:
    blob = urllib.request.urlopen(spec["url"], timeout=60).read()
    algorithm, expected = spec["integrity"].split("-", 1)
    actual = base64.b64encode(hashlib.new(algorithm, blob).digest()).decode()
    if actual != expected:
        raise SystemExit(f"{name}: integrity mismatch ({actual} != {expected})")
    with tarfile.open(fileobj=io.BytesIO(blob)) as archive:
        for member, target in spec["files"].items():
            data = archive.extractfile(member).read()
            (STATIC / target).write_bytes(data)
            print(f"{name}: {target} ({len(data):,} bytes)")


def main() -> None:
    STATIC.mkdir(parents=True, exist_ok=True)
    for name, spec in PACKAGES.items():
        fetch(name, spec)


if __name__ == "__main__":
    main()
