"""Re-execute every lesson in place, deterministically, and keep the stored files small.

Why a script: nbval compares fresh outputs with stored ones, so the stored outputs must be
exactly what a fresh run produces in the locked environment. Each cell has a time limit
(a cell that displays into an Output widget can stall nbclient silently), and the widget
state (about 0.9 MB of JavaScript per chart) is stripped after execution: a learner's
kernel recreates it when the notebook runs.

    python tools/execute_notebooks.py [notebooks/NN_name.ipynb ...]
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parents[1]
CELL_TIMEOUT_S = 300


def execute(path: Path, output: Path | None = None) -> None:
    """Execute the notebook at `path` (in its own folder) and write it to `output` or back."""
    notebook = nbformat.read(path, as_version=4)
    client = NotebookClient(
        notebook,
        timeout=CELL_TIMEOUT_S,
        kernel_name="python3",
        resources={"metadata": {"path": str(path.parent)}},
    )
    started = time.perf_counter()
    client.execute()
    notebook.metadata.pop("widgets", None)
    notebook.metadata["kernelspec"] = {
        "display_name": "Python 3 (ipykernel)",
        "language": "python",
        "name": "python3",
    }
    # Keep the kernel's language_info (Python version included): JupyterLab writes the running
    # kernel's into the file on opening, so a stored one that differs marks the lesson modified.
    for cell in notebook.cells:
        cell.get("metadata", {}).pop("execution", None)
    nbformat.validate(notebook)
    target = path if output is None else output
    nbformat.write(notebook, target)
    size_kb = target.stat().st_size / 1024
    print(f"{path.name}: {time.perf_counter() - started:.1f} s, {size_kb:.0f} KB", flush=True)


def main(argv: list[str]) -> None:
    paths = [Path(a) for a in argv] or sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
    with tempfile.TemporaryDirectory() as scratch:
        # The kernels inherit this: a self-check run here never writes lessons_progress.json
        # into notebooks/, and no learner's stored progress changes what the outputs show.
        os.environ["LESSONS_PROGRESS"] = str(Path(scratch) / "lessons_progress.json")
        for path in paths:
            execute(path.resolve())


if __name__ == "__main__":
    main(sys.argv[1:])
