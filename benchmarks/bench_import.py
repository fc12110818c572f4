"""Target 1: `import lessons` costs no more than importing pandas, altair and ipywidgets.

Why a fresh subprocess each time: an import is paid once per kernel, so only a cold
`python -c` shows what a learner waits for. Both commands also pay interpreter start-up,
which is the same for both and measured separately for reference.

For reference (no target): `import pandas, altair` against `import pandas` (Altair's own
import cost, which the lock's `exclude-dependencies = ["rfc3987-syntax"]` cut), and the
kernel start a learner waits for: a fresh python3 kernel until
`import lessons, altair, ipywidgets, pandas` has run.
"""

from __future__ import annotations

import subprocess
import sys
from dataclasses import replace

from benchmarks._timing import ROOT, Report, Result, interleaved, median, ratio_result, seconds
from benchmarks.bench_notebooks import kernel_floor

LESSONS = "import lessons"
FLOOR = "import pandas, altair, ipywidgets"
LIMIT = 1.10
KERNEL_CODE = "import lessons, altair, ipywidgets, pandas"
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


def run(repeats: int = 15, kernels: int = 5) -> Report:
    """Median wall time of `python -c "import lessons"` vs the floor, interleaved."""
    samples = interleaved(
        {
            "lessons": lambda: _python(LESSONS),
            "floor": lambda: _python(FLOOR),
            "bare": lambda: _python("pass"),
            "pandas": lambda: _python("import pandas"),
            "pandas_altair": lambda: _python("import pandas, altair"),
        },
        repeats,
    )
    lessons_s, floor_s, bare_s = (median(samples[k]) for k in ("lessons", "floor", "bare"))
    pandas_s, altair_s = median(samples["pandas"]), median(samples["pandas_altair"])
    kernel_starts = [kernel_floor(KERNEL_CODE)[0] for _ in range(kernels)]
    kernel_s = median(kernel_starts)
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
        replace(
            ratio_result(
                "`import pandas, altair` vs `import pandas` (fresh process)",
                altair_s,
                pandas_s,
                LIMIT,
                "import pandas",
            ),
            goal="for reference",
            passed=None,
        ),
        Result(
            f"kernel start: fresh python3 kernel until `{KERNEL_CODE}` ran",
            f"{seconds(kernel_s)} (median of {kernels})",
            None,
            "for reference",
            None,
        ),
    ]
    details = [
        f"- import: {repeats} interleaved fresh processes each; medians: `import lessons` "
        f"{seconds(lessons_s)}, floor {seconds(floor_s)}, bare `python -c pass` "
        f"{seconds(bare_s)} (included in both); `import pandas` {seconds(pandas_s)}, "
        f"`import pandas, altair` {seconds(altair_s)}.",
        f"- kernel start (jupyter_client, python3 kernel, until `{KERNEL_CODE}` ran): "
        f"{', '.join(seconds(k) for k in kernel_starts)}; median {seconds(kernel_s)}.",
    ]
    figures = {"lessons_s": lessons_s, "floor_s": floor_s, "bare_s": bare_s, "heavy": heavy}
    figures |= {"pandas_s": pandas_s, "pandas_altair_s": altair_s, "kernel_s": kernel_s}
    return Report("import", results, details, figures)


if __name__ == "__main__":
    for row in run().results:
        print(row)
