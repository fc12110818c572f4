"""Target 1: `import lessons` costs no more than importing pandas, altair and ipywidgets.

Why a fresh subprocess each time: an import is paid once per kernel, so only a cold
`python -c` shows what a learner waits for. Both commands also pay interpreter start-up,
which is the same for both and measured separately for reference.
"""

from __future__ import annotations

import subprocess
import sys

from benchmarks._timing import ROOT, Report, Result, interleaved, median, ratio_result, seconds

LESSONS = "import lessons"
FLOOR = "import pandas, altair, ipywidgets"
LIMIT = 1.10
HEAVY = ("altair", "ipywidgets", "ipykernel", "jupyter_client", "anywidget", "jsonschema")


def _python(code: str) -> None:
    subprocess.run([sys.executable, "-c", code], cwd=ROOT, check=True)


def heavy_modules_after_import() -> list[str]:
    """Which of the heavy GUI/Jupyter modules `import lessons` drags in (should be none)."""
    probe = f"import sys, lessons; print(*[m for m in {HEAVY!r} if m in sys.modules])"
    out = subprocess.run(
        [sys.executable, "-c", probe], cwd=ROOT, check=True, capture_output=True, text=True
    )
    return out.stdout.split()


def run(repeats: int = 15) -> Report:
    """Median wall time of `python -c "import lessons"` vs the floor, interleaved."""
    samples = interleaved(
        {
            "lessons": lambda: _python(LESSONS),
            "floor": lambda: _python(FLOOR),
            "bare": lambda: _python("pass"),
        },
        repeats,
    )
    lessons_s, floor_s, bare_s = (median(samples[k]) for k in ("lessons", "floor", "bare"))
    heavy = heavy_modules_after_import()
    results = [
        ratio_result(
            "`import lessons` vs `import pandas, altair, ipywidgets` (fresh process)",
            lessons_s,
            floor_s,
            LIMIT,
        ),
        Result(
            "`import lessons` pulls in no altair/ipywidgets/Jupyter modules",
            ", ".join(heavy) or "none",
            None,
            "none",
            not heavy,
        ),
    ]
    details = [
        f"- import: {repeats} interleaved fresh processes each; medians: `import lessons` "
        f"{seconds(lessons_s)}, floor {seconds(floor_s)}, bare `python -c pass` "
        f"{seconds(bare_s)} (included in both)."
    ]
    figures = {"lessons_s": lessons_s, "floor_s": floor_s, "bare_s": bare_s, "heavy": heavy}
    return Report("import", results, details, figures)


if __name__ == "__main__":
    for row in run().results:
        print(row)
