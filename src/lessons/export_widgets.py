"""The stored widget state of a lesson, made honest and small for a static page.

Why: an exported page renders its widgets from the state stored when the lesson ran, with
no kernel behind them. A slider that moves while its chart stays the same misleads, so
every control (slider, drop-down, toggle, text box, button) is stored as disabled, and the
output that holds it gets a visible note saying where the controls work; the chart keeps
the picture it had. Three things made the pages large, and each is stored once instead:

- each chart widget carried its own copy of the ~925 kB Vega JavaScript (`_esm`): the copy
  goes to one shared script file, and the widget keeps a few lines that import it;
- every widget model listed every property, most at their default value (a layout model
  ~40 unset CSS properties): a property equal to the widget's default is left out, and the
  front end fills it in (ipywidgets keeps the Python and JavaScript defaults the same);
- the actions menu of each chart offered an "Open in Vega Editor" link that needs the
  internet: only "Save as SVG/PNG" stays.

>>> models = {
...     "box": {"model_name": "VBoxModel", "model_module": "@jupyter-widgets/controls",
...             "state": {"children": ["IPY_MODEL_s"], "_dom_classes": ["lessons-explorer"]}},
...     "s": {"model_name": "IntSliderModel", "model_module": "@jupyter-widgets/controls",
...           "state": {"value": 3, "disabled": False, "layout": "IPY_MODEL_l"}},
...     "l": {"model_name": "LayoutModel", "model_module": "@jupyter-widgets/base",
...           "state": {"width": "420px", "height": None}},
... }
>>> static = make_static(models)
>>> models["s"]["state"]["disabled"], models["l"]["state"]
(True, {'width': '420px'})
>>> note_kind("box", models)
'explorer'
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cache
from typing import Any

CONTROLS_MODULE = "@jupyter-widgets/controls"
IPYWIDGETS_MODULES = ("@jupyter-widgets/base", CONTROLS_MODULE, "@jupyter-widgets/output")
SHARED_ESM_MIN_CHARS = 20_000  # smaller modules stay inline: a shared file would not pay off
# vega-embed's menu: saving the picture works offline; the editor and source views do not help
# a reader of a handout (the editor needs the internet).
CHART_ACTIONS = {"export": True, "source": False, "compiled": False, "editor": False}
# What a page says above each output whose controls only work with a kernel.
NOTES = {
    "exercise": (
        "This is a printed copy. To answer this exercise, open the lesson in JupyterLab: "
        "here its boxes and buttons are switched off."
    ),
    "explorer": (
        "This is a printed copy. The controls of this tool work when you open the lesson in "
        "JupyterLab: here they are switched off, and the chart shows what the tool showed "
        "when the lesson was exported."
    ),
}


@dataclass
class StaticState:
    """What `make_static` did: the shared JavaScript by key, how many controls it switched off."""

    shared_esm: dict[str, str] = field(default_factory=dict)
    disabled: int = 0


def esm_key(source: str) -> str:
    """A short, stable name for one JavaScript module (its content hash).

    >>> esm_key("export default {}")
    '9aeb8d59b4d483ca'
    """
    return hashlib.sha256(source.encode("utf-8")).hexdigest()[:16]


def esm_stub(key: str) -> str:
    """The few lines a chart widget keeps in place of the shared module `key`.

    The shared file (a classic script, since browsers refuse modules from file://) stores
    the module's text; the first chart on a page turns it into a blob URL and every chart
    imports that same URL, so the Vega code is parsed once per page, not once per chart.
    """
    name = json.dumps(key)
    return (
        "const sources = globalThis.lessonsSharedModules || {};\n"
        "const urls = (globalThis.lessonsSharedModuleUrls ??= {});\n"
        f"if (!(({name}) in sources)) throw new Error('lessons: the shared chart code ' + "
        f"{name} + ' is missing; keep the files beside the page');\n"
        f"urls[{name}] ??= URL.createObjectURL("
        f"new Blob([sources[{name}]], {{type: 'text/javascript'}}));\n"
        f"const shared = await import(urls[{name}]);\n"
        "export default shared.default;\n"
    )


def shared_esm_script(key: str, source: str) -> str:
    """The shared file for module `key`: a classic script that stores the module's text."""
    return (
        "// One copy of the chart code for every exported page (see lessons.export_widgets).\n"
        f"(globalThis.lessonsSharedModules ??= {{}})[{json.dumps(key)}] = "
        f"{json.dumps(source)};\n"
    )


def _is_control(model: dict[str, Any]) -> bool:
    """A control has a `disabled` property (stored, or left out at its default)."""
    if model.get("model_module") != CONTROLS_MODULE:
        return False
    defaults = widget_defaults().get((CONTROLS_MODULE, model.get("model_name", "")), {})
    return "disabled" in model.get("state", {}) or "disabled" in defaults


@cache
def widget_defaults() -> dict[tuple[str, str], dict[str, str]]:
    """Each ipywidgets model's default property values, as JSON text, by (module, model name)."""
    from ipywidgets.widgets.widget import Widget

    defaults: dict[tuple[str, str], dict[str, str]] = {}
    pending = [Widget]
    while pending:
        cls = pending.pop()
        pending.extend(cls.__subclasses__())
        traits = cls.class_traits(sync=True)
        if "_model_name" not in traits or "_model_module" not in traits:
            continue
        key = (traits["_model_module"].default_value, traits["_model_name"].default_value)
        values = {}
        for name, trait in traits.items():
            value = trait.default_value
            if isinstance(value, tuple):
                value = list(value)
            try:
                values[name] = json.dumps(value, sort_keys=True)
            except TypeError:  # a widget instance (layout, style): never left out
                continue
        defaults.setdefault(key, values)
    return defaults


def _drop_defaults(model: dict[str, Any]) -> None:
    if model.get("model_module") not in IPYWIDGETS_MODULES:
        return
    defaults = widget_defaults().get((model["model_module"], model.get("model_name", "")), {})
    state = model.get("state", {})
    for key in [k for k, v in state.items() if k in defaults]:
        if json.dumps(state[key], sort_keys=True) == defaults[key]:
            del state[key]


def make_static(models: dict[str, dict[str, Any]]) -> StaticState:
    """Change the stored widget state in place for a static page; return what was shared."""
    result = StaticState()
    for model in models.values():
        state = model.get("state", {})
        if _is_control(model):
            if not state.get("disabled"):
                result.disabled += 1
            state["disabled"] = True
        _drop_defaults(model)
        if model.get("model_module") == "anywidget":
            esm = state.get("_esm")
            if isinstance(esm, str) and len(esm) >= SHARED_ESM_MIN_CHARS:
                key = esm_key(esm)
                result.shared_esm[key] = esm
                state["_esm"] = esm_stub(key)
            if isinstance(state.get("spec"), dict):
                options = dict(state.get("embed_options") or {})
                options["actions"] = CHART_ACTIONS
                state["embed_options"] = options
    return result


def descendants(model_id: str, models: dict[str, dict[str, Any]]) -> Iterable[dict[str, Any]]:
    """The model and every widget inside it, depth first (VBox/HBox children, in order)."""
    seen: set[str] = set()
    stack = [model_id]
    while stack:
        current = stack.pop(0)
        if current in seen or current not in models:
            continue
        seen.add(current)
        model = models[current]
        yield model
        children = model.get("state", {}).get("children", [])
        stack[0:0] = [c.removeprefix("IPY_MODEL_") for c in children if isinstance(c, str)]


def note_kind(model_id: str, models: dict[str, dict[str, Any]]) -> str | None:
    """ "exercise" or "explorer" when the output holds controls; None when it holds none."""
    inside = list(descendants(model_id, models))
    if not any(_is_control(m) for m in inside):
        return None
    classes = {c for m in inside for c in m.get("state", {}).get("_dom_classes", [])}
    return "exercise" if "lessons-ask" in classes else "explorer"
