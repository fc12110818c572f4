"""Target 6: every lesson notebook stays small: the largest file is at most 300 KB.

Why: stored outputs are what nbval compares and what a teacher downloads; a notebook that
embeds a whole dataset in one chart output is slow to open and to diff. Reports each
notebook's size and its largest single output (serialised as in the file's JSON).
"""

from __future__ import annotations

import json
from pathlib import Path

from benchmarks._timing import ROOT, Report, Result

LIMIT_BYTES = 300_000  # 300 KB


def notebooks(root: Path = ROOT) -> list[Path]:
    return sorted(
        p for p in (root / "notebooks").rglob("*.ipynb") if ".ipynb_checkpoints" not in p.parts
    )


def largest_output(path: Path) -> tuple[int, str]:
    """Bytes of the largest single output and where it is (cell number, output type)."""
    book = json.loads(path.read_text(encoding="utf-8"))
    best, where = 0, "-"
    for number, cell in enumerate(book.get("cells", []), start=1):
        for output in cell.get("outputs", []):
            size = len(json.dumps(output, indent=1, ensure_ascii=False).encode("utf-8"))
            if size > best:
                best, where = size, f"cell {number}, {output.get('output_type', '?')}"
    return best, where


def run() -> Report:
    rows = ["| notebook | bytes | largest output (bytes) | where |", "|---|---:|---:|---|"]
    sizes = {}
    for path in notebooks():
        size = path.stat().st_size
        out, where = largest_output(path)
        name = str(path.relative_to(ROOT))
        sizes[name] = (size, out)
        rows.append(f"| `{name}` | {size:,} | {out:,} | {where} |")
    biggest = max(sizes, key=lambda n: sizes[n][0])
    biggest_out = max(sizes, key=lambda n: sizes[n][1])
    results = [
        Result(
            f"largest notebook ({len(sizes)} under notebooks/)",
            f"{sizes[biggest][0]:,} B (`{Path(biggest).name}`); largest output "
            f"{sizes[biggest_out][1]:,} B (`{Path(biggest_out).name}`)",
            None,
            f"<= {LIMIT_BYTES // 1000} KB",
            sizes[biggest][0] <= LIMIT_BYTES,
        )
    ]
    return Report("sizes", results, ["- notebook sizes:", "", *rows, ""], {"sizes": sizes})


if __name__ == "__main__":
    for row in run().results:
        print(row)
