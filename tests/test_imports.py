"""Arrows point one way in `src/lessons`, and `import lessons` plants nothing.

Why statically: the import graph is read from the source with `ast` (every `import lessons.x`,
`from lessons.x import …`, `from lessons import x` and relative import, including the ones
inside functions, which are still arrows: they run the first time the function does). So a
cycle or a wrong-way arrow is found even on a path no test happens to execute.

Importing `lessons.x` also runs `lessons/__init__.py`; that implicit arrow to the parent
package is not counted (every submodule has it), but `from lessons import load_events`, a
name the package defines, is an arrow to `lessons` itself.

The layer rules are checked on what a module *reaches* (its imports, their imports, …), so a
new private helper in between cannot hide a wrong-way arrow.
"""

from __future__ import annotations

import ast
import contextlib
import importlib.util
import inspect
import json
import subprocess
import sys
import tomllib
import types
from collections.abc import Iterable
from functools import cache
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "src" / "lessons"

# Who may not reach whom, and why. Left: modules (those that do not exist are skipped).
# Right: lessons modules, or third-party packages (top-level name), that must stay out of reach.
UPPER = {"lessons.aggregate", "lessons.charts", "lessons.widgets", "lessons.checks"}
NOTEBOOK_FACING = UPPER | {"lessons._ask", "lessons.capstone", "lessons.presenter"}
TEACHER_TOOLS = {  # a name also covers a subpackage's modules (lessons.classroom.hub)
    "lessons.cli",
    "lessons.doctor",
    "lessons.export",
    "lessons.export_text",
    "lessons.export_widgets",
    "lessons.course",
    "lessons.student",
    "lessons.classroom",
    "lessons.worksheet",
    "lessons.answer_key",
    "lessons.handouts",
}
NOTEBOOK_LOADERS = {"notebooks", "importnb", "nbimporter", "ipynb"}
RULES: list[tuple[set[str], set[str], str]] = [
    (
        {"lessons.data", "lessons.reader", "lessons.errors", "lessons.settings", "lessons.icews"},
        NOTEBOOK_FACING | {"lessons.render", "altair", "ipywidgets"},
        "the data layer reads and checks tables; it knows nothing of charts, widgets or grading",
    ),
    (
        {"lessons.aggregate"},
        {"lessons.charts", "lessons.widgets", "lessons.checks", "altair", "ipywidgets"},
        "aggregations are pandas in, pandas out: charts and checks use them, not the reverse",
    ),
    (
        {"lessons.charts"},
        {"lessons.widgets", "lessons.render", "lessons.checks", "ipywidgets"},
        "charts own the palette and theme; render and widgets come to charts, not the reverse",
    ),
    (
        {"lessons.checks", "lessons._grading", "lessons._progress"},
        {"lessons.charts", "lessons.widgets", "altair"},
        "grading needs data and aggregations, never a chart (nor Altair's import time)",
    ),
    (
        {"lessons"},
        TEACHER_TOOLS,
        "`import lessons` is what a notebook runs: teacher tools stay out of a learner's kernel",
    ),
]


def module_name(path: Path) -> str:
    """`src/lessons/a/b.py` -> `lessons.a.b`; a package's `__init__.py` -> the package."""
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _modules() -> dict[str, Path]:
    return {module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}


def _runtime_nodes(tree: ast.AST) -> Iterable[ast.AST]:
    """Every node, function bodies included, except `if TYPE_CHECKING:` blocks (never run)."""
    for node in ast.iter_child_nodes(tree):
        if isinstance(node, ast.If) and ast.unparse(node.test).endswith("TYPE_CHECKING"):
            for child in node.orelse:  # an `else:` does run
                yield child
                yield from _runtime_nodes(child)
            continue
        yield node
        yield from _runtime_nodes(node)


def imports_of(path: Path, known: Iterable[str]) -> tuple[set[str], set[str]]:
    """(lessons modules, third-party top-level names) that the file at `path` imports."""
    known = set(known)
    here = module_name(path)
    package = here if path.name == "__init__.py" else here.rpartition(".")[0]
    own: set[str] = set()
    other: set[str] = set()

    def add(name: str) -> None:
        if name == "lessons" or name.startswith("lessons."):
            # the longest known module that `name` names (lessons.x.y -> lessons.x if y is a name)
            while name not in known and "." in name:
                name = name.rpartition(".")[0]
            own.add(name)
        else:
            other.add(name.partition(".")[0])

    for node in _runtime_nodes(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            for alias in node.names:
                add(alias.name)
        elif isinstance(node, ast.ImportFrom):
            if node.level:  # relative: `from . import x`, `from .x import y`
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                source = ".".join(base + ([node.module] if node.module else []))
            else:
                source = node.module or ""
            for alias in node.names:
                # `from lessons import x` imports the module lessons.x when there is one
                full = f"{source}.{alias.name}"
                add(full if full in known else source)
    own.discard(here)
    return own, other


@cache
def import_graph() -> tuple[dict[str, set[str]], dict[str, set[str]]]:
    """Arrows between lessons modules, and each module's third-party imports (read once)."""
    modules = _modules()
    arrows, third = {}, {}
    for name, path in modules.items():
        arrows[name], third[name] = imports_of(path, modules)
    return arrows, third


def find_cycle(arrows: dict[str, set[str]]) -> list[str] | None:
    """One import cycle as a path `[a, b, …, a]`, or None (depth-first, deterministic order)."""
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    path: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        path.append(node)
        for nxt in sorted(arrows.get(node, ())):
            if state.get(nxt) == 1:
                return [*path[path.index(nxt) :], nxt]
            if nxt not in state and (found := visit(nxt)):
                return found
        path.pop()
        state[node] = 2
        return None

    for start in sorted(arrows):
        if start not in state and (found := visit(start)):
            return found
    return None


def all_cycles(arrows: dict[str, set[str]]) -> list[list[str]]:
    """One cycle path for each group of modules that import each other (none: `[]`)."""
    found: list[list[str]] = []
    for start in sorted(arrows):
        if any(start in cycle for cycle in found):
            continue
        group = {m for m in reach(start, arrows) if start in reach(m, arrows)}
        cycle = find_cycle({m: arrows[m] & group for m in group})
        if cycle and start in cycle:
            found.append(cycle)
    return found


def _covered(name: str, names: set[str]) -> bool:
    """`name` is one of `names`, or a submodule of one."""
    return any(name == n or name.startswith(n + ".") for n in names)


def reach(start: str, arrows: dict[str, set[str]]) -> dict[str, list[str]]:
    """Every module `start` reaches, each with one shortest path from `start` (for messages)."""
    paths = {start: [start]}
    queue = [start]
    while queue:
        node = queue.pop(0)
        for nxt in sorted(arrows.get(node, ())):
            if nxt not in paths:
                paths[nxt] = [*paths[node], nxt]
                queue.append(nxt)
    return paths


# --- the graph reader itself --------------------------------------------------------------


def test_graph_reader_sees_every_form_of_import(tmp_path, monkeypatch) -> None:
    package = tmp_path / "lessons"
    (package / "sub").mkdir(parents=True)
    for name in ("__init__", "a", "b", "c", "d", "sub/__init__", "sub/e"):
        (package / f"{name}.py").write_text("", encoding="utf-8")
    source = package / "sub" / "e.py"
    source.write_text(
        "import lessons.a\n"
        "from lessons.b import thing\n"
        "from lessons import c, load_events\n"
        "from .. import d\n"
        "import altair as alt, pandas.api\n"
        "if TYPE_CHECKING:\n"
        "    import lessons.widgets\n"  # for type hints only: never run, not an arrow
        "def later():\n"
        "    from lessons.sub import e\n"  # itself: not an arrow
        "    import ipywidgets\n",
        encoding="utf-8",
    )
    monkeypatch.setattr(sys.modules[__name__], "PACKAGE", package)
    known = _modules()
    assert set(known) == {"lessons", "lessons.a", "lessons.b", "lessons.c", "lessons.d"} | {
        "lessons.sub",
        "lessons.sub.e",
    }
    own, other = imports_of(source, known)
    assert own == {"lessons", "lessons.a", "lessons.b", "lessons.c", "lessons.d"}
    assert other == {"altair", "pandas", "ipywidgets"}


def test_cycle_finder_names_the_path() -> None:
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": set()}) is None
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == ["a", "b", "c", "a"]
    assert find_cycle({"x": {"x"}}) == ["x", "x"]
    two = {"a": {"b"}, "b": {"a", "c"}, "c": {"d"}, "d": {"c"}, "e": {"a"}}
    assert all_cycles(two) == [["a", "b", "a"], ["c", "d", "c"]]


# --- the package --------------------------------------------------------------------------


def test_no_import_cycle_in_src_lessons() -> None:
    arrows, _ = import_graph()
    cycles = [" -> ".join(cycle) for cycle in all_cycles(arrows)]
    assert not cycles, "import cycles:\n" + "\n".join(cycles)


def rule_breaks(
    arrows: dict[str, set[str]], third: dict[str, set[str]], sources: set[str], banned: set[str]
) -> list[str]:
    """Each path by which one of `sources` reaches a banned module or package."""
    broken = []
    for source in sorted(s for s in sources if s in arrows):
        for module, path in reach(source, arrows).items():
            hits = {m for m in {module} | third.get(module, set()) if _covered(m, banned)}
            broken += [f"{' -> '.join(path)} imports {hit}" for hit in sorted(hits - {source})]
    return broken


def test_rule_breaks_follow_the_arrows() -> None:
    arrows = {"data": {"_helper"}, "_helper": {"charts.util"}, "charts.util": set()}
    third = {"data": {"pandas"}, "_helper": set(), "charts.util": {"altair"}}
    assert rule_breaks(arrows, third, {"data"}, {"charts"}) == [
        "data -> _helper -> charts.util imports charts.util"
    ]
    assert rule_breaks(arrows, third, {"data"}, {"altair"}) == [
        "data -> _helper -> charts.util imports altair"
    ]
    assert rule_breaks(arrows, third, {"data"}, {"widgets", "ipywidgets"}) == []


@pytest.mark.parametrize(("sources", "banned", "why"), RULES, ids=[r[2][:40] for r in RULES])
def test_layer_rule(sources: set[str], banned: set[str], why: str) -> None:
    arrows, third = import_graph()
    assert sources & set(arrows), f"none of {sorted(sources)} exists any more: update RULES"
    broken = rule_breaks(arrows, third, sources, banned)
    assert not broken, f"{why}:\n" + "\n".join(broken)


def test_nothing_in_src_lessons_imports_a_notebook() -> None:
    _, third = import_graph()
    found = {m: sorted(t & NOTEBOOK_LOADERS) for m, t in third.items() if t & NOTEBOOK_LOADERS}
    assert not found, f"the library never imports a notebook: {found}"


def test_grading_lives_in_checks() -> None:
    """`judge_date` and every other grader is defined in checks/_grading, nowhere else."""
    graders = {}
    for name, path in _modules().items():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in tree.body:
            if isinstance(node, ast.FunctionDef) and node.name.startswith(("judge", "grade")):
                graders.setdefault(node.name, []).append(name)
    assert graders.get("judge_date") == ["lessons.checks"]
    assert {m for where in graders.values() for m in where} <= {
        "lessons.checks",
        "lessons._grading",
    }, graders


def test_palette_is_defined_in_charts_only() -> None:
    owners = []
    for name, path in _modules().items():
        for node in ast.parse(path.read_text(encoding="utf-8")).body:
            targets = node.targets if isinstance(node, ast.Assign) else []
            if isinstance(node, ast.AnnAssign):
                targets = [node.target]
            if any(isinstance(t, ast.Name) and t.id == "PALETTE" for t in targets):
                owners.append(name)
    assert owners == ["lessons.charts"]


def _runtime_distributions() -> set[str]:
    """The project's dependencies and everything they require (no extras), by canonical name."""
    from importlib import metadata

    from packaging.requirements import Requirement
    from packaging.utils import canonicalize_name

    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    queue = [Requirement(r) for r in project["dependencies"]]
    seen: set[str] = set()
    while queue:
        req = queue.pop()
        name = canonicalize_name(req.name)
        if name in seen or (req.marker and not req.marker.evaluate({"extra": ""})):
            continue
        seen.add(name)
        with contextlib.suppress(metadata.PackageNotFoundError):  # not installed: no deps known
            queue += [Requirement(r) for r in metadata.requires(req.name) or []]
    return seen


def _optional_import_names() -> dict[str, str]:
    """Import name -> distribution, for packages only the project's extras install."""
    from importlib import metadata

    from packaging.requirements import Requirement
    from packaging.utils import canonicalize_name

    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    extras = {
        canonicalize_name(Requirement(r).name)
        for reqs in project.get("optional-dependencies", {}).values()
        for r in reqs
    }
    optional = extras - _runtime_distributions()
    names = {dist.replace("-", "_"): dist for dist in optional}  # also when not installed
    for module, dists in metadata.packages_distributions().items():
        for dist in dists:
            if canonicalize_name(dist) in optional:
                names[module] = dist
    return names


def _import_time_imports(tree: ast.AST) -> Iterable[tuple[str, int]]:
    """Top-level names imported when the module is imported: not inside a function, not under
    `if TYPE_CHECKING:`, not in a `try` that catches ImportError."""
    for node in ast.iter_child_nodes(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
            continue
        if isinstance(node, ast.If) and ast.unparse(node.test).endswith("TYPE_CHECKING"):
            continue
        if isinstance(node, ast.Try) and any(
            "ImportError" in ast.unparse(h.type or ast.Name("BaseException")) or h.type is None
            for h in node.handlers
        ):
            continue
        if isinstance(node, ast.Import):
            yield from ((a.name.partition(".")[0], node.lineno) for a in node.names)
        elif isinstance(node, ast.ImportFrom) and not node.level and node.module:
            yield node.module.partition(".")[0], node.lineno
        else:
            yield from _import_time_imports(node)


def test_import_time_imports_skip_functions_guards_and_type_hints() -> None:
    source = (
        "import jupyterhub.app\n"
        "from segno import make\n"
        "try:\n    import playwright\nexcept ImportError:\n    playwright = None\n"
        "if TYPE_CHECKING:\n    import hypothesis\n"
        "def serve():\n    import configurable_http_proxy\n"
        "class Hub:\n    import pytest\n"
    )
    found = [name for name, _ in _import_time_imports(ast.parse(source))]
    assert found == ["jupyterhub", "segno", "pytest"]  # a class body runs at import


def test_modules_import_without_the_optional_extras() -> None:
    """A module that needs jupyterhub, playwright, … imports it inside a function, so that
    `import lessons.x` (and the doctests, which import every module) work without the extra."""
    optional = _optional_import_names()
    assert {"playwright", "pytest"} <= set(optional), optional  # the test extra, at least
    found = [
        f"{path.relative_to(ROOT)}:{line} imports {name} ({optional[name]}) at import time"
        for path in sorted(PACKAGE.rglob("*.py"))
        for name, line in _import_time_imports(ast.parse(path.read_text(encoding="utf-8")))
        if name in optional
    ]
    assert not found, "\n".join(found)


# --- `import lessons` at run time ------------------------------------------------------------


def made_by_hand(module: object) -> bool:
    """True for a module object the import system did not make (it sets both attributes)."""
    spec = getattr(module, "__spec__", None)
    return spec is None or getattr(module, "__loader__", None) is not spec.loader


PROBE = """
import json, sys
before = set(sys.modules)
hooks = (list(sys.meta_path), list(sys.path_hooks))
if sys.argv[1] == "lessons":
    import lessons
else:  # the ordinary imports: what `import lessons` loaded, imported without it
    for name in json.loads(sys.argv[2]):
        try:
            __import__(name)
        except ImportError:  # e.g. `_cyutility`: loaded by pandas' extensions, not by name
            pass
added = sorted(set(sys.modules) - before)
same_hooks = (sys.meta_path, sys.path_hooks) == hooks

{made_by_hand}
import altair  # a notebook's next import: it must find the real packages, not stand-ins
iri = sys.modules.get("rfc3987_syntax")
print(json.dumps({
    "by_hand": [n for n in added if made_by_hand(sys.modules[n])],
    "top_level": sorted({n.split(".")[0] for n in added if not made_by_hand(sys.modules[n])}
                        - {"lessons"}),
    "lessons_files": [getattr(sys.modules[n], "__file__", None) for n in added
                      if n.split(".")[0] == "lessons"],
    "rfc3987_syntax": "absent" if iri is None else "by hand" if made_by_hand(iri) else "real",
    "same_hooks": same_hooks,
}))
""".replace("{made_by_hand}", inspect.getsource(made_by_hand))


def _probe(*args: str) -> dict:
    done = subprocess.run(
        [sys.executable, "-c", PROBE, *args], capture_output=True, text=True, timeout=300, cwd=ROOT
    )
    assert done.returncode == 0, done.stderr[-2000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_a_stand_in_module_is_told_from_a_real_one() -> None:
    """A stand-in that copies the real module's spec and file (as `quick_import` did) is caught."""
    real = sys.modules["json"]
    spec = importlib.util.find_spec("json")
    stand_in = types.ModuleType("json")
    stand_in.__spec__, stand_in.__file__ = spec, spec.origin
    assert made_by_hand(stand_in) and not made_by_hand(real)
    assert made_by_hand(types.ModuleType("cython_runtime"))


def test_import_lessons_plants_nothing_in_sys_modules() -> None:
    """Every module `import lessons` adds was found by the import system, or is one that the
    same third-party imports add without lessons (Cython's `_cython_*`, `typing.io`, …)."""
    found = _probe("lessons")
    ordinary = _probe("plain", json.dumps(found["top_level"]))
    assert found["lessons_files"], found
    assert all(str(f).startswith(str(PACKAGE)) for f in found["lessons_files"]), found
    planted = sorted(set(found["by_hand"]) - set(ordinary["by_hand"]))
    assert planted == [], f"`import lessons` put modules it made by hand in sys.modules: {planted}"
    # absent (left out of the lock) or the real, installed module: never a stand-in
    assert found["rfc3987_syntax"] in {"absent", "real"}, found["rfc3987_syntax"]
    assert found["rfc3987_syntax"] == ordinary["rfc3987_syntax"]
    assert found["same_hooks"], "`import lessons` changed sys.meta_path or sys.path_hooks"
