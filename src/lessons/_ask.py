"""The exercise widget behind `checks.ask`: a question, its input, Check / Hint / Show answer.

UI only: every verdict, hint and answer comes from `lessons.checks`, so the widget and the
`check()` call for learners who code can never disagree. Building the widget shows nothing that
gives the answer away (Run All is safe) and is deterministic: options in the JSON order, no
times, no random ids in any value. The progress file is written on Check, on Show answer and
when an essay's text changes (on leaving the box), never when the widget is merely shown.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from types import ModuleType
from typing import TYPE_CHECKING, Any

import ipywidgets as w

from lessons import _grading, _progress
from lessons._markdown import markdown_html

if TYPE_CHECKING:
    from lessons.checks import Feedback

FONT = "15px"
STYLE = (
    "<style>.lessons-ask{--jp-widgets-font-size:15px;font-size:15px}"
    ".lessons-ask .widget-label,.lessons-ask input,.lessons-ask textarea,"
    ".lessons-ask select,.lessons-ask button,.lessons-ask label{font-size:15px}"
    # long options wrap instead of overprinting the next one
    ".lessons-ask .widget-radio-box label,.lessons-ask .widget-checkbox label,"
    ".lessons-ask .widget-checkbox .widget-label-basic{white-space:normal;height:auto;"
    "line-height:1.35;overflow:visible;text-overflow:clip;margin-bottom:4px}"
    ".lessons-ask .widget-radio-box,.lessons-ask .widget-checkbox{height:auto}</style>"
)
_WIDE = {"description_width": "initial"}


def plain_text(text: str) -> str:
    """A prompt without markup, on one line (for the text/plain view).

    >>> plain_text("Use the **toll explorer**, *then*\\n  `the table`.")
    'Use the toll explorer, then the table.'
    """
    return " ".join(re.sub(r"\*+", "", str(text)).replace("`", "").split())


def feedback_html(feedback: Feedback | None, extra: str = "") -> str:
    """The status area's HTML (role=status, so screen readers announce it)."""
    inner = "" if feedback is None else feedback.html(status_role=False)
    return f'<div role="status" aria-live="polite" style="font-size:{FONT}">{inner}{extra}</div>'


class Ask(w.VBox):
    """One exercise as a widget; `controls` holds the inputs so tests can answer like a learner.

    Parts: `prompt` (HTML), `controls` (input widgets by name), `check_button`, `hint_button`,
    `reveal_button`, `feedback` (HTML, role=status), `hints` (HTML), `then_output` (Output).
    """

    def __init__(
        self,
        exercise_id: Any,
        *,
        grader: ModuleType,
        then: Callable[[], Any] | None = None,
    ):
        self.grader = grader  # lessons.checks, handed in by checks.ask (no import back)
        self.exercise_id = grader._normal_id(exercise_id)
        key, ex, note = grader._lookup(exercise_id)
        self.exercise = ex
        self._then = then
        self._then_shown = False
        self.controls: dict[str, w.Widget] = {}
        self.feedback = w.HTML(value=feedback_html(None))
        self.hints = w.HTML(value="")
        self.then_output = w.Output()
        if ex is None:
            self._summary = f"Exercise {key}: {note.message if note else 'not found'}"
            self.prompt = w.HTML(value=STYLE + (note._repr_html_() if note else ""))
            super().__init__(children=[self.prompt])
            self.add_class("lessons-ask")
            return
        self._summary = (
            f"Exercise {key} — run this cell (Shift+Enter) to answer: {plain_text(ex['prompt'])}"
        )
        self.prompt = w.HTML(
            value=(
                f'{STYLE}<div style="font-size:{FONT}"><strong>Exercise {html.escape(key)}'
                f"</strong><br>{markdown_html(ex['prompt'])}</div>"
            )
        )
        essay = ex["input"] == "essay"
        self.check_button = w.Button(
            description="Check",
            icon="check",
            tooltip="Save your text and count the words" if essay else "Check your answer",
            button_style="primary",
        )
        self.hint_button = w.Button(
            description="Hint", icon="lightbulb-o", tooltip="Show the next hint"
        )
        self.reveal_button = w.Button(
            description="Show model answer" if essay else "Show answer",
            icon="eye",
            disabled=True,
            tooltip=(
                f"Opens after you have written {_grading.min_words(ex)} words"
                if essay
                else "Opens after your first try"
            ),
            layout=w.Layout(width="auto"),
        )
        for button in (self.check_button, self.hint_button, self.reveal_button):
            button.style.font_size = FONT
        self.check_button.on_click(self._on_check)
        self.hint_button.on_click(self._on_hint)
        self.reveal_button.on_click(self._on_reveal)
        self._checklist = w.VBox()
        inputs = self._build_inputs(ex)
        buttons = w.HBox([self.check_button, self.hint_button, self.reveal_button])
        children = [self.prompt, inputs, buttons, self.feedback, self.hints, self._checklist]
        if then is not None:
            children.append(self.then_output)
        super().__init__(children=children, layout=w.Layout(margin="6px 0 12px 0"))
        self.add_class("lessons-ask")
        if essay:
            self._update_essay_state(save=False)

    def __repr__(self) -> str:
        return self._summary

    # --- inputs ---------------------------------------------------------------------------

    def _build_inputs(self, ex: dict[str, Any]) -> w.Widget:
        kind = ex["input"]
        build = getattr(self, f"_input_{kind}")
        return build(ex)

    def _input_number(self, ex: dict[str, Any]) -> w.Widget:
        box = w.Text(
            description="Your answer (a number)",
            placeholder="a number",
            style=_WIDE,
            layout=w.Layout(width="360px"),
        )
        self.controls["answer"] = box
        return box

    def _input_date(self, ex: dict[str, Any]) -> w.Widget:
        picker = w.DatePicker(description="Your date", style=_WIDE)
        self.controls["answer"] = picker
        return picker

    def _input_text(self, ex: dict[str, Any]) -> w.Widget:
        box = w.Text(
            description="Your answer",
            placeholder="type here",
            style=_WIDE,
            layout=w.Layout(width="520px"),
        )
        self.controls["answer"] = box
        return box

    def _input_choice(self, ex: dict[str, Any]) -> w.Widget:
        options = list(ex["options"])
        if len(options) <= 6:
            picker = w.RadioButtons(
                options=options,
                value=None,
                description="Your choice",
                style=_WIDE,
                layout=w.Layout(width="auto"),
            )
        else:
            picker = w.Dropdown(
                options=options,
                value=None,
                description="Your choice",
                style=_WIDE,
                layout=w.Layout(width="640px", max_width="100%"),
            )
        self.controls["answer"] = picker
        return picker

    def _input_multi(self, ex: dict[str, Any]) -> w.Widget:
        boxes = []
        for n, option in enumerate(ex["options"]):
            box = w.Checkbox(
                value=False, description=option, indent=False, layout=w.Layout(width="auto")
            )
            self.controls[f"option {n + 1}"] = box
            boxes.append(box)
        label = w.HTML(value=f'<span style="font-size:{FONT}">Tick every one that fits:</span>')
        return w.VBox([label, *boxes])

    def _input_order(self, ex: dict[str, Any]) -> w.Widget:
        self._order = list(ex["options"])
        self._order_rows: list[tuple[w.HTML, w.Button, w.Button]] = []
        rows = []
        for position in range(len(self._order)):
            label = w.HTML(layout=w.Layout(width="auto", min_width="320px"))
            up = w.Button(description="Up", icon="arrow-up", layout=w.Layout(width="80px"))
            down = w.Button(description="Down", icon="arrow-down", layout=w.Layout(width="90px"))
            up.on_click(lambda _b, p=position: self.move(p, -1))
            down.on_click(lambda _b, p=position: self.move(p, +1))
            self._order_rows.append((label, up, down))
            rows.append(w.HBox([up, down, label]))
        self.controls["order"] = w.VBox(rows)
        self._show_order()
        intro = w.HTML(
            value=f'<span style="font-size:{FONT}">Put them in order (first at the top) with '
            "the Up and Down buttons:</span>"
        )
        return w.VBox([intro, self.controls["order"]])

    def move(self, position: int, step: int) -> None:
        """Move the item at `position` (0 = top) up (-1) or down (+1)."""
        target = position + step
        if 0 <= target < len(self._order):
            self._order[position], self._order[target] = self._order[target], self._order[position]
            self._show_order()

    def _show_order(self) -> None:
        last = len(self._order) - 1
        for position, (label, up, down) in enumerate(self._order_rows):
            item = self._order[position]
            label.value = (
                f'<span style="font-size:{FONT}">{position + 1}. {html.escape(item)}</span>'
            )
            up.tooltip = f"Move “{item}” up"
            down.tooltip = f"Move “{item}” down"
            up.disabled = position == 0
            down.disabled = position == last

    @property
    def order(self) -> list[str]:
        """The order the learner has made so far."""
        return list(getattr(self, "_order", []))

    def _input_classify(self, ex: dict[str, Any]) -> w.Widget:
        rows = []
        for n, item in enumerate(ex["items"], start=1):
            text = w.HTML(
                value=f'<div style="font-size:{FONT}"><strong>{n}.</strong> '
                f"{html.escape(item['text'])}</div>"
            )
            picker = w.Dropdown(
                options=list(ex["categories"]),
                value=None,
                description=f"Item {n} is",
                tooltip=_grading.short(item["text"], 100),
                style=_WIDE,
                layout=w.Layout(width="560px", max_width="100%"),
            )
            self.controls[item["key"]] = picker
            rows.append(w.VBox([text, picker], layout=w.Layout(margin="0 0 8px 0")))
        return w.VBox(rows)

    def _input_essay(self, ex: dict[str, Any]) -> w.Widget:
        stored = _progress.record(self.exercise_id).get("text")
        box = w.Textarea(
            value=stored if isinstance(stored, str) else "",
            description="Your answer",
            placeholder=f"Write at least {_grading.min_words(ex)} words here.",
            rows=8,
            continuous_update=False,
            style=_WIDE,
            layout=w.Layout(width="95%"),
        )
        box.observe(lambda _change: self._update_essay_state(save=True), names="value")
        self.controls["answer"] = box
        self._word_count = w.HTML()
        return w.VBox([box, self._word_count])

    def value(self) -> Any:
        """The learner's answer as the widget holds it (what Check sends to `checks.check`)."""
        kind = self.exercise["input"]
        if kind == "multi":
            return [box.description for box in self.controls.values() if box.value]
        if kind == "order":
            return self.order
        if kind == "classify":
            return {k: d.value for k, d in self.controls.items() if d.value is not None}
        return self.controls["answer"].value

    # --- buttons --------------------------------------------------------------------------

    def _on_check(self, _button: Any) -> None:
        verdict, next_hint = self.grader._check_parts(self.exercise_id, self.value())
        self.feedback.value = feedback_html(verdict)
        if next_hint is not None:
            self._add_hint(next_hint)
        state = self.grader._state(self.exercise_id)
        if self.exercise["input"] == "essay":
            self._update_essay_state(save=False)
            attempted = _grading.word_count(self.value()) > 0
        else:
            attempted = state.tries > 0
            self.reveal_button.disabled = not attempted
        if attempted:
            self._show_then()

    def _on_hint(self, _button: Any) -> None:
        self._add_hint(self.grader.hint(self.exercise_id))

    def _add_hint(self, hint: Feedback) -> None:
        line = (
            f'<div style="font-size:{FONT};margin:2px 0"><strong>{html.escape(hint.label)}:'
            f"</strong> {markdown_html(hint.message)}</div>"
        )
        if line not in self.hints.value:
            self.hints.value += line

    def _on_reveal(self, _button: Any) -> None:
        shown = self.grader.reveal(self.exercise_id)
        self.feedback.value = feedback_html(shown)
        checklist = self.exercise.get("checklist") if self.exercise["input"] == "essay" else None
        if checklist and shown.label == "Model answer" and not self._checklist.children:
            ticked = set(_progress.record(self.exercise_id).get("checklist", []) or [])
            intro = w.HTML(
                value=f'<div style="font-size:{FONT}"><strong>Check your own answer</strong> '
                "(tick what it does):</div>"
            )
            boxes = [
                w.Checkbox(
                    value=n in ticked,
                    description=line,
                    indent=False,
                    layout=w.Layout(width="auto"),
                )
                for n, line in enumerate(checklist)
            ]
            for box in boxes:
                box.observe(lambda _c: self._save_checklist(), names="value")
            self._checklist.children = [intro, *boxes]
        self._show_then()

    def _save_checklist(self) -> None:
        boxes = [c for c in self._checklist.children if isinstance(c, w.Checkbox)]
        _progress.update(self.exercise_id, checklist=[n for n, b in enumerate(boxes) if b.value])

    def _update_essay_state(self, *, save: bool) -> None:
        text = self.controls["answer"].value
        words = _grading.word_count(text)
        need = _grading.min_words(self.exercise)
        self.grader._state(self.exercise_id).text = text
        if save and text.strip():
            self.grader._save(self.exercise_id, status="written", text=text)
        self._word_count.value = (
            f'<span style="font-size:{FONT}">{words} word{"s" if words != 1 else ""} '
            f"written; the model answer opens at {need}.</span>"
        )
        self.reveal_button.disabled = words < need

    def _show_then(self) -> None:
        if self._then is None or self._then_shown:
            return
        self._then_shown = True
        from IPython.display import display

        with self.then_output:
            try:
                shown = self._then() if callable(self._then) else self._then
            except Exception as err:  # the lesson's own function failed: one line, no traceback
                self.feedback.value += feedback_html(
                    self.grader._note(
                        self.exercise_id, f"The follow-up could not be shown ({err})."
                    )
                )
                return
            if shown is None:
                return
            if not isinstance(shown, w.Widget):
                display(shown)
                return
        self.children = [*self.children, shown]
