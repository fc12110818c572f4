"""Keep `import altair` from building a grammar the lessons never use (~1.2 s every kernel).

Why: Altair imports jsonschema, and jsonschema imports `rfc3987_syntax` when it is installed
(JupyterLab's jupyter-events installs it) so that it can check the "iri" format. That module
builds a Lark grammar as it is imported: about 1.2 s of the ~1.7 s `import altair` takes in
this environment, paid again in every kernel, although nothing here checks an IRI.

`defer_iri_grammar()` puts a stand-in module in its place whose functions load the real
module the first time one of them is called. Nothing changes but when the grammar is built:
an IRI check, if one ever runs, gives the same answer (a test checks both answers).
"""

from __future__ import annotations

import importlib
import importlib.util
import sys
import types
from typing import Any

_NAME = "rfc3987_syntax"
_STAND_IN = "_lessons_stand_in"


def defer_iri_grammar() -> None:
    """Put the stand-in in place, unless the real module is loaded already or not installed."""
    if _NAME in sys.modules:
        return
    try:
        spec = importlib.util.find_spec(_NAME)
    except (ImportError, ValueError):
        return
    if spec is None:
        return
    stand_in = types.ModuleType(_NAME, __doc__)
    stand_in.__spec__ = spec
    stand_in.__file__ = spec.origin
    if spec.submodule_search_locations is not None:  # a package: its submodules stay reachable
        stand_in.__path__ = list(spec.submodule_search_locations)
    setattr(stand_in, _STAND_IN, True)

    def is_valid_syntax(*args: Any, **kwargs: Any) -> Any:
        return _real().is_valid_syntax(*args, **kwargs)

    def module_getattr(name: str) -> Any:  # any other name: from the real module
        if name.startswith("__"):  # the import system asks for __path__ and the like
            raise AttributeError(f"module {_NAME!r} has no attribute {name!r}")
        return getattr(_real(), name)

    stand_in.is_valid_syntax = is_valid_syntax  # type: ignore[attr-defined]
    stand_in.__getattr__ = module_getattr  # type: ignore[method-assign]
    sys.modules[_NAME] = stand_in


def _real() -> types.ModuleType:
    """The real module, imported now if only the stand-in is loaded."""
    loaded = sys.modules.get(_NAME)
    if loaded is not None and not getattr(loaded, _STAND_IN, False):
        return loaded
    sys.modules.pop(_NAME, None)
    try:
        return importlib.import_module(_NAME)
    except BaseException:
        if loaded is not None:  # leave things as they were
            sys.modules[_NAME] = loaded
        raise
