"""Measure an exported course: size, files, failed requests and axe-core results per page.

Why a tool and not a test: the tests check two lessons against fixed budgets; this reports
the figures for a whole export (e.g. all eleven lessons) so they can be compared before and
after a change, as docs/accessibility.md does. Needs Chromium and Playwright, as the browser
tests do; axe-core comes from tests/browser/assets/.

    python -m lessons export /tmp/site
    python tools/export_report.py /tmp/site
"""

from __future__ import annotations

import sys
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
AXE = ROOT / "tests" / "browser" / "assets" / "axe.min.js"
CHROMIUM = "/usr/bin/chromium"
RENDER_TIMEOUT_S = 60
CHARTS_DRAWN_JS = """() => {
  const views = document.querySelectorAll('script[type$="widget-view+json"]').length;
  const drawn = [...document.querySelectorAll('.vega-embed')]
    .filter((el) => el.querySelector('svg, canvas')).length;
  return views === 0 || drawn > 0;
}"""
AXE_JS = """() => axe.run(document, {preload: false}).then((r) =>
  r.violations.map((v) => [v.id, v.impact, v.nodes.length]))"""


def report(folder: Path) -> None:
    from playwright.sync_api import sync_playwright

    files = [p for p in folder.rglob("*") if p.is_file()]
    size = sum(p.stat().st_size for p in files)
    print(f"{folder}: {size:,} bytes ({size / 1e6:.2f} MB) in {len(files)} files")
    failed_total = 0
    impacts: Counter[str] = Counter()
    rules: Counter[tuple[str, str]] = Counter()
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        context = browser.new_context(viewport={"width": 1400, "height": 1000})
        for path in sorted(folder.glob("*.html")):
            page = context.new_page()
            failed: list[str] = []
            page.on("requestfailed", lambda request, failed=failed: failed.append(request.url))
            page.goto(path.resolve().as_uri())
            deadline = time.monotonic() + RENDER_TIMEOUT_S
            while not page.evaluate(CHARTS_DRAWN_JS) and time.monotonic() < deadline:
                time.sleep(1)
            time.sleep(3)  # the remaining charts, and the post-render names
            page.add_script_tag(path=str(AXE))
            found: Counter[str] = Counter()
            for rule, impact, count in page.evaluate(AXE_JS):
                found[impact] += count
                rules[(rule, impact)] += count
            impacts.update(found)
            failed_total += len(failed)
            print(f"{path.name}: {len(failed)} failed requests, axe {dict(found)}")
            for url in failed:
                print(f"    failed: {url}")
            page.close()
        browser.close()
    print(f"all pages: {failed_total} failed requests, axe {dict(impacts)}")
    for (rule, impact), count in sorted(rules.items()):
        print(f"    {impact:9} {rule}: {count}")


if __name__ == "__main__":
    if len(sys.argv) != 2 or not Path(sys.argv[1]).is_dir():
        raise SystemExit("usage: python tools/export_report.py EXPORT_FOLDER")
    report(Path(sys.argv[1]))
