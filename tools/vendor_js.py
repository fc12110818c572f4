"""Fetch the JavaScript that static HTML exports need, from the npm registry, pinned and checked.

Why vendored: an exported lesson must render from disk with no network, so require.js and
the Jupyter widgets HTML manager sit beside the HTML instead of coming from a CDN. They are
committed under `src/lessons/static/`; run this script only to change their versions.
(anywidget's AMD module is copied at export time from the installed Python package, so it
always matches the kernel side.) The browser tests' accessibility checker, axe-core, is
vendored the same way into `tests/browser/assets/`, so those tests run offline in CI.

    python tools/vendor_js.py            # every package
    python tools/vendor_js.py axe-core   # only the named ones
"""

from __future__ import annotations

import base64
import hashlib
import io
import sys
import tarfile
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
STATIC = ROOT / "src" / "lessons" / "static"
TEST_ASSETS = ROOT / "tests" / "browser" / "assets"
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
            # Font Awesome (widget icons), woff2 only: every browser in use reads it; solid
            # and regular only (the brand icons' font is never asked for)
            "package/dist/1551f4f60c37af51121f.woff2": "1551f4f60c37af51121f.woff2",
            "package/dist/7a3337626410ca2f4071.woff2": "7a3337626410ca2f4071.woff2",
        },
    },
    "axe-core": {
        "url": "https://registry.npmjs.org/axe-core/-/axe-core-4.14.1.tgz",
        "integrity": "sha512-FHfa+lmNjQZfJz1q8wKqIDwC6DExcHt/pkjNQb09a3NPjCKg2rhu5qb2S4r76ASyFNNtuFooJpZe37OgudVGtQ==",  # noqa: E501
        "files": {"package/axe.min.js": "axe.min.js", "package/LICENSE": "axe-core.LICENSE.txt"},
        "folder": TEST_ASSETS,
    },
}


def fetch(name: str, spec: dict) -> None:
    folder = spec.get("folder", STATIC)
    folder.mkdir(parents=True, exist_ok=True)
    blob = urllib.request.urlopen(spec["url"], timeout=60).read()
    algorithm, expected = spec["integrity"].split("-", 1)
    actual = base64.b64encode(hashlib.new(algorithm, blob).digest()).decode()
    if actual != expected:
        raise SystemExit(f"{name}: integrity mismatch ({actual} != {expected})")
    with tarfile.open(fileobj=io.BytesIO(blob)) as archive:
        for member, target in spec["files"].items():
            data = archive.extractfile(member).read()
            (folder / target).write_bytes(data)
            print(f"{name}: {target} ({len(data):,} bytes)")


def main(names: list[str]) -> None:
    unknown = [n for n in names if n not in PACKAGES]
    if unknown:
        raise SystemExit(f"unknown package {unknown[0]!r}; choose from {', '.join(PACKAGES)}")
    for name in names or PACKAGES:
        fetch(name, PACKAGES[name])


if __name__ == "__main__":
    main(sys.argv[1:])
