"""Issue 12.3: a learner's environment ≤ 500 MB on disk and ≤ 125 MB to download.

What is measured, on a fresh copy of the checkout in a temporary folder (never this `.venv/`):
- download: the sum of the `size` that `uv.lock` records for the file uv would fetch for each
  package of the set (the best wheel for this machine's tags, else the sdist), the set being
  `uv export` of the lock for that command's extras, with markers evaluated here. This is what
  a first `python3 run.py lab` downloads with an empty uv cache.
- disk: `du` of the `.venv/` that `run.ensure_environment(command)` builds in the copy (uv
  from the pinned `.uv-tools/`, bytecode compiled as run.py does), with the packages that
  take the most room.

    .venv/bin/python benchmarks/bench_install.py             # this tree: lab, then test
    .venv/bin/python benchmarks/bench_install.py --ref HEAD  # a committed revision instead
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from packaging.markers import Marker
from packaging.tags import sys_tags
from packaging.utils import canonicalize_name, parse_wheel_filename

if __package__ in (None, ""):  # run as a script: make `benchmarks` importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks._timing import ROOT, Report, Result, median, seconds, timed_command

DISK_LIMIT_MB = 500
DOWNLOAD_LIMIT_MB = 125
MB = 1e6
EXTRAS = {"test": ("test",), "classroom": ("classroom",)}  # as run.py: others none


def _uv() -> str:
    return str(ROOT / ".uv-tools" / "bin" / "uv")


def copy_tree(dest: Path, ref: str | None = None) -> Path:
    """A clone-like copy: the files git knows (tracked or new, not ignored), or `ref`'s tree."""
    dest.mkdir(parents=True)
    if ref:
        archive = subprocess.run(
            ["git", "archive", ref], cwd=ROOT, check=True, capture_output=True
        ).stdout
        subprocess.run(["tar", "-x", "-C", str(dest)], input=archive, check=True)
        return dest
    listed = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=ROOT,
        check=True,
        capture_output=True,
    ).stdout.decode()
    for name in filter(None, listed.split("\0")):
        source = ROOT / name
        if source.is_file():
            (dest / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, dest / name)
    return dest


def locked_set(checkout: Path, extras: tuple[str, ...]) -> list[tuple[str, str]]:
    """(name, version) of every package `uv sync` installs on this machine for `extras`."""
    command = [_uv(), "export", "--locked", "--no-dev", "--no-emit-project", "--no-hashes"]
    command += [arg for extra in extras for arg in ("--extra", extra)]
    text = subprocess.run(
        [*command, "--format", "requirements-txt", "--no-header"],
        cwd=checkout,
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    found = []
    for line in text.splitlines():
        if not line or line.startswith(("#", " ")):
            continue
        requirement, _, marker = line.partition(";")
        if marker.strip() and not Marker(marker.strip()).evaluate():
            continue
        name, _, version = requirement.strip().partition("==")
        found.append((str(canonicalize_name(name)), version))
    return found


def download_sizes(checkout: Path, extras: tuple[str, ...]) -> dict[str, int]:
    """Bytes uv downloads per package: the best wheel for this machine (by tag), else the sdist."""
    lock = tomllib.loads((checkout / "uv.lock").read_text(encoding="utf-8"))
    packages = {(canonicalize_name(p["name"]), p["version"]): p for p in lock["package"]}
    rank = {tag: i for i, tag in enumerate(sys_tags())}
    sizes = {}
    for name, version in locked_set(checkout, extras):
        package = packages[(name, version)]
        best = None
        for wheel in package.get("wheels", []):
            filename = wheel["url"].rsplit("/", 1)[-1]
            tags = parse_wheel_filename(filename)[3]
            score = min((rank[t] for t in tags if t in rank), default=None)
            if score is not None and (best is None or score < best[0]):
                best = (score, wheel["size"])
        sizes[name] = best[1] if best else package.get("sdist", {}).get("size", 0)
    return sizes


def _du_bytes(path: Path) -> int:
    out = subprocess.run(["du", "-sk", str(path)], check=True, capture_output=True, text=True)
    return int(out.stdout.split()[0]) * 1024


@dataclass
class Install:
    """One measured set-up."""

    command: str
    ref: str
    extras: tuple[str, ...]
    download: dict[str, int]  # bytes per package
    disk_bytes: int
    largest_on_disk: list[tuple[str, int]]
    setup_s: float
    imports: dict[str, list[float]] = field(default_factory=dict)  # seconds per run

    def lines(self) -> list[str]:
        top = sorted(self.download.items(), key=lambda item: -item[1])[:8]
        return [
            f"- `run.py {self.command}` ({self.ref}; extras: {', '.join(self.extras) or 'none'}):"
            f" {len(self.download)} packages, download {sum(self.download.values()) / MB:.1f} MB,"
            f" .venv {self.disk_bytes / MB:.0f} MB on disk, set-up {seconds(self.setup_s)}"
            " (warm uv cache).",
            "  - largest on disk (MB): "
            + ", ".join(f"{n} {b / MB:.0f}" for n, b in self.largest_on_disk),
            "  - largest downloads (MB): " + ", ".join(f"{n} {b / MB:.1f}" for n, b in top),
            *(
                f'  - CPU time of `python -c "{IMPORT}"` {name}: median {seconds(median(runs))} '
                f"(min {seconds(min(runs))}, {len(runs)} interleaved runs)"
                for name, runs in self.imports.items()
            ),
        ]


IMPORT = "import lessons, altair"
GRAMMAR = ["rfc3987-syntax==1.1.0", "lark==1.3.1"]  # what the lock had before the exclusion


def time_imports(python: Path, folder: Path, repeats: int = 7) -> dict[str, list[float]]:
    """`import lessons, altair` in this environment, with and without the IRI grammar.

    The grammar goes into a separate folder put on PYTHONPATH for half the runs, so both are
    timed in the same environment, alternating; pandas alone is the floor.
    """
    extra = folder / "with-grammar"
    # --no-config: pyproject's exclude-dependencies would leave rfc3987-syntax out here too
    install = [_uv(), "pip", "install", "--quiet", "--no-config", "--python", str(python)]
    command = [*install, "--target", str(extra), *GRAMMAR]
    subprocess.run(command, cwd=folder, check=True, capture_output=True)
    base = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    cases = {
        "without rfc3987-syntax (now)": ([str(python), "-c", IMPORT], base),
        "with rfc3987-syntax (before, bare)": (
            [str(python), "-c", IMPORT],
            {**base, "PYTHONPATH": str(extra)},
        ),
        "floor: import pandas": ([str(python), "-c", "import pandas"], base),
    }
    runs: dict[str, list[float]] = {name: [] for name in cases}
    for round_no in range(repeats):
        order = list(cases.items())
        for name, (cmd, env) in order if round_no % 2 == 0 else reversed(order):
            runs[name].append(cpu_seconds(cmd, folder, env))
    return runs


def cpu_seconds(command: list[str], cwd: Path, env: dict[str, str]) -> float:
    """CPU time (user + system) of one subprocess: on a shared machine, wall time mostly
    measures the other jobs; on a learner's idle laptop an import's wall time is about this."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    subprocess.run(command, cwd=cwd, env=env, check=True, capture_output=True)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def measure(command: str, ref: str | None = None, *, imports: bool = False) -> Install:
    """Download and disk figures for `run.py <command>` on a fresh copy (of `ref`, if given).

    A run.py from before extras (`ensure_environment()` without a command) always installed
    the test extra: it is measured as it was.
    """
    with tempfile.TemporaryDirectory(prefix="lessons-install-") as tmp:
        checkout = copy_tree(Path(tmp) / "copy", ref)
        with_extras = "def extras_to_install" in (checkout / "run.py").read_text(encoding="utf-8")
        extras = EXTRAS.get(command, ()) if with_extras else ("test",)
        download = download_sizes(checkout, extras)
        tools = checkout / ".uv-tools" / "bin"
        tools.mkdir(parents=True, exist_ok=True)
        (tools / "uv").symlink_to(_uv())  # the pinned uv: nothing fetched from PyPI for it
        drop = ("VIRTUAL_ENV", "UV_PROJECT_ENVIRONMENT")
        env = {k: v for k, v in os.environ.items() if k not in drop}
        argument = repr(command) if with_extras else ""
        code = f"import run; run.ensure_environment({argument})"
        python3 = shutil.which("python3") or sys.executable
        taken = timed_command([python3, "-c", code], cwd=checkout, env=env)
        venv = checkout / ".venv"
        site = next(venv.glob("lib/python*/site-packages"))
        largest = sorted(
            ((p.name, _du_bytes(p)) for p in site.iterdir() if p.is_dir()),
            key=lambda item: -item[1],
        )[:10]
        timings = time_imports(venv / "bin" / "python", Path(tmp)) if imports else {}
        return Install(
            command,
            ref or "working tree",
            extras,
            download,
            _du_bytes(venv),
            largest,
            taken,
            timings,
        )


def run(ref: str | None = None) -> Report:
    learner = measure("lab", ref, imports=True)
    download = sum(learner.download.values())
    results = [
        Result(
            "learner environment on disk (`run.py lab`, fresh copy)",
            f"{learner.disk_bytes / MB:.0f} MB",
            None,
            f"<= {DISK_LIMIT_MB} MB",
            learner.disk_bytes <= DISK_LIMIT_MB * MB,
        ),
        Result(
            "learner download (uv.lock wheel sizes for this machine)",
            f"{download / MB:.1f} MB",
            None,
            f"<= {DOWNLOAD_LIMIT_MB} MB",
            download <= DOWNLOAD_LIMIT_MB * MB,
        ),
    ]
    figures = {"disk_bytes": learner.disk_bytes, "download_bytes": download}
    return Report("install", results, learner.lines(), figures)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--ref", help="measure this git revision (e.g. HEAD) instead of the tree")
    parser.add_argument("--command", action="append", help="run.py command (default: lab)")
    parser.add_argument("--imports", action="store_true", help="also time the kernel imports")
    args = parser.parse_args()
    for command in args.command or ["lab"]:
        for line in measure(command, args.ref, imports=args.imports).lines():
            print(line, flush=True)
