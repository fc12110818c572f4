"""The capstone's evidence board: search the record, collect event ids, keep them between sessions.

Why a separate board: the capstone asks learners to cite events by `event_id`, so the board
shows every row's id, date, title, source and kind of source, lets the learner add a row with
one click (or by typing its id), says plainly when an id is unknown (with the closest ids),
and keeps the collected ids in the same progress file the exercises use, so they survive a
kernel restart. The logic is plain functions (`search_events`, `closest_ids`, `normalise_ids`)
that tests call without a browser; `EvidenceBoard` only wires them to widgets.

Nothing a learner types raises: odd input (None, numbers, lists, markup) gets one line of text.
All row text is HTML-escaped.

>>> events = pd.DataFrame({"event_id": ["2018-09-17-sochi-idlib-memorandum", "2016-06-27-letter"],
...                        "title": ["Sochi memorandum on Idlib", "Erdoğan's letter to Putin"]})
>>> search_events(events, "ERDOGAN")["event_id"].tolist()
['2016-06-27-letter']
>>> normalise_ids("['2018-09-17-sochi-idlib-memorandum', 2016-06-27-letter]")
['2018-09-17-sochi-idlib-memorandum', '2016-06-27-letter']
>>> closest_ids(events, "sochi memorandum", n=1)
['2018-09-17-sochi-idlib-memorandum']
"""

from __future__ import annotations

import difflib
import html
import re
import unicodedata
from collections.abc import Iterable
from typing import Any

import ipywidgets as w
import pandas as pd

from lessons import charts, widgets

PROGRESS_KEY = "10.evidence"  # the record in the progress file that holds the collected ids
RESULT_LIMIT = 12
_SPLIT = re.compile(r"[\s,;]+")
_TURKISH = str.maketrans({"ı": "i", "İ": "i", "ø": "o", "ß": "ss", "’": "'", "‘": "'"})


# --- plain functions -------------------------------------------------------------------------


def fold(text: Any) -> str:
    """Lower-case text without accents, so "Erdogan" finds "Erdoğan" and "CAVUSOGLU" "Çavuşoğlu"."""
    if text is None or (isinstance(text, float) and pd.isna(text)):
        return ""
    decomposed = unicodedata.normalize("NFKD", str(text).translate(_TURKISH))
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


def _haystack(events: pd.DataFrame) -> pd.Series:
    """One folded string per event: id, title, summary, actors, publisher, kind and voice."""

    def joined(value: Any) -> str:
        if isinstance(value, (list, tuple)):
            return " ".join(str(v) for v in value)
        return "" if value is None or (isinstance(value, float) and pd.isna(value)) else str(value)

    parts = [
        c
        for c in (
            "event_id",
            "title",
            "summary",
            "actors",
            "source_publisher",
            "source_kind",
            "source_voice",
        )
        if c in events.columns
    ]
    text = events[parts[0]].map(joined)
    for column in parts[1:]:
        text = text + " " + events[column].map(joined)
    return text.map(fold)


def search_events(
    events: pd.DataFrame,
    text: Any = "",
    themes: Iterable[str] | str | None = None,
    years: tuple[int, int] | None = None,
    haystack: pd.Series | None = None,
) -> pd.DataFrame:
    """Rows holding every word of `text` (case and accents ignored), in the themes and years.

    `themes` may be one theme, several, or None/"all" for every theme.
    """
    keep = pd.Series(True, index=events.index)
    if years is not None:
        try:
            low, high = int(years[0]), int(years[1])
            keep &= events["date"].dt.year.between(low, high)
        except (TypeError, ValueError, IndexError):
            pass
    if isinstance(themes, str):
        themes = None if themes in ("", "all", "All themes") else [themes]
    if themes:
        keep &= events["category"].isin(list(themes))
    words = [w_ for w_ in fold(text if isinstance(text, str) else "").split() if w_]
    if words:
        hay = haystack if haystack is not None else _haystack(events)
        for word in words:
            keep &= hay.str.contains(word, regex=False)
    return events[keep]


def normalise_ids(raw: Any) -> list[str]:
    """The ids a learner typed or passed: one id, several separated by commas or spaces, or a list.

    Quotes and brackets a learner copies along are dropped; anything else becomes text.
    """
    if raw is None:
        return []
    if isinstance(raw, dict):
        raw = list(raw)
    if isinstance(raw, (list, tuple, set)):
        out: list[str] = []
        for item in raw:
            out.extend(normalise_ids(item))
        return out
    text = str(raw).strip().strip("[](){}")
    pieces = [p.strip().strip("'\"`[](){}") for p in _SPLIT.split(text)]
    return [p for p in pieces if p]


def closest_ids(events: pd.DataFrame, typed: Any, n: int = 3) -> list[str]:
    """Up to `n` event ids nearest to what was typed (by spelling, then by shared words)."""
    ids = events["event_id"].astype(str).tolist()
    guess = fold(typed if isinstance(typed, str) else str(typed)).strip()
    if not guess:
        return []
    near = difflib.get_close_matches(guess, ids, n=n, cutoff=0.5)
    if len(near) < n:
        words = [p for p in re.split(r"[-_\s]+", guess) if len(p) > 2 and not p.isdigit()]
        scored = sorted(
            ((sum(word in fold(i) for word in words), i) for i in ids if i not in near),
            key=lambda pair: -pair[0],
        )
        near += [i for score, i in scored if score > 0][: n - len(near)]
    if len(near) < n and re.match(r"\d{4}", guess):
        near += [i for i in ids if i.startswith(guess[:7]) and i not in near][: n - len(near)]
    return near[:n]


def evidence_table(events: pd.DataFrame, ids: Iterable[str]) -> pd.DataFrame:
    """The collected rows, in the order collected: date, title, source and kind of source."""
    wanted = [i for i in normalise_ids(list(ids)) if i in set(events["event_id"])]
    columns = ["date", "title", "category", "source_publisher", "source_kind", "source_voice"]
    columns = [c for c in columns if c in events.columns]
    table = events.set_index("event_id").loc[wanted, columns]
    return table


def show_evidence(events: pd.DataFrame, ids: Iterable[str]) -> Any:
    """The collected rows as a table, or one friendly line when nothing is collected yet."""
    table = evidence_table(events, ids)
    if table.empty:
        from IPython.display import Markdown

        return Markdown(
            "*Nothing collected yet: press **Add** beside rows on the evidence board above, "
            "then run this cell again.*"
        )
    return table


# --- the progress file (the same store the exercises use) ------------------------------------


def load_saved(key: str = PROGRESS_KEY) -> list[str]:
    """Ids saved earlier in the progress file ([] if none or if it cannot be read)."""
    try:
        from lessons import _progress

        saved = _progress.record(key).get("evidence", [])
    except Exception:  # a damaged or missing store must never stop the lesson
        return []
    return [str(i) for i in saved] if isinstance(saved, list) else []


def save(ids: list[str], key: str = PROGRESS_KEY) -> bool:
    """Write the collected ids to the progress file; False if it could not be written."""
    try:
        from lessons import _progress

        return bool(_progress.update(key, evidence=list(ids)))
    except Exception:
        return False


# --- the widget ------------------------------------------------------------------------------


def _row_html(row: pd.Series) -> str:
    date = row["date"].strftime("%Y-%m-%d") if pd.notna(row["date"]) else "?"
    kind = row.get("source_kind", "")
    voice = row.get("source_voice", "")
    return (
        f"<code>{html.escape(str(row['event_id']))}</code><br>"
        f"<strong>{html.escape(date)}</strong> — {html.escape(str(row['title']))}<br>"
        f"<small>Source: {html.escape(str(row.get('source_publisher', '')))} "
        f"· kind: {html.escape(str(kind))} · voice: {html.escape(str(voice))}</small>"
    )


class EvidenceBoard(w.VBox):
    """Search the record, add rows to your evidence, remove them; `evidence` holds the ids."""

    def __init__(
        self,
        events: pd.DataFrame,
        *,
        key: str = PROGRESS_KEY,
        store: bool = True,
        limit: int = RESULT_LIMIT,
    ):
        self.events = events.sort_values(["date", "event_id"]).reset_index(drop=True)
        self._by_id = self.events.set_index("event_id")
        self._haystack = _haystack(self.events)
        self._key = key
        self._store = store
        self._limit = limit
        self._evidence: list[str] = []
        if store:
            self._evidence = [i for i in load_saved(key) if i in self._by_id.index]

        first = int(self.events["date"].dt.year.min())
        last = int(self.events["date"].dt.year.max())
        themes = [c for c in charts.CATEGORY_ORDER if c in set(self.events["category"])]
        themes += sorted(set(self.events["category"]) - set(themes))
        self.search = w.Text(
            description="Search",
            placeholder="e.g. Erdogan gas, Idlib, grain",
            layout=w.Layout(width="420px"),
        )
        self.theme = w.Dropdown(options=["All themes", *themes], description="Theme")
        self.years = widgets.years_slider(first, last)
        self.id_box = w.Text(
            description="Add by id",
            placeholder="paste an event_id, e.g. 2020-03-05-moscow-additional-protocol",
            layout=w.Layout(width="560px"),
        )
        self.id_button = w.Button(description="Add", tooltip="Add the id typed on the left")
        self.message = w.HTML(value="")
        self.results_caption = w.HTML()
        self.results = w.VBox()
        self.collected_caption = w.HTML()
        self.collected = w.VBox()

        for control in (self.search, self.theme, self.years):
            control.observe(lambda _change: self.refresh_results(), names="value")
        self.id_button.on_click(lambda _b: self._add_typed())

        help_text = w.HTML(
            "<p><strong>Your evidence board.</strong> Search the record (accents and capitals do "
            "not matter), pick a theme or years, and press <em>Add</em> beside a row to collect "
            "it. Or paste an <code>event_id</code> below. Your list is kept on this computer "
            "and comes back when you reopen the notebook.</p>"
        )
        super().__init__(
            children=[
                help_text,
                w.HBox([self.search, self.theme]),
                self.years,
                w.HBox([self.id_box, self.id_button]),
                self.message,
                self.collected_caption,
                self.collected,
                self.results_caption,
                self.results,
            ]
        )
        self.refresh_results()
        self._refresh_collected()

    # -- what code can read --
    @property
    def evidence(self) -> list[str]:
        """The collected event ids, in the order collected."""
        return list(self._evidence)

    def __repr__(self) -> str:
        # short and stable (no count): shown where widgets cannot render, compared by nbval
        return "<evidence board: search, theme, years, add by id, your evidence list>"

    # -- actions (also called by tests) --
    def add(self, raw: Any) -> str:
        """Add one or more ids; return (and show) one line saying what happened."""
        ids = normalise_ids(raw)
        if not ids:
            return self._say(
                "Type or paste an event_id first, e.g. 2020-03-05-moscow-additional-protocol."
            )
        added, already, unknown = [], [], []
        for event_id in ids:
            if event_id not in self._by_id.index:
                unknown.append(event_id)
            elif event_id in self._evidence:
                already.append(event_id)
            else:
                self._evidence.append(event_id)
                added.append(event_id)
        parts = []
        if added:
            parts.append(f"Added {', '.join(added)}.")
        if already:
            parts.append(f"Already on your list: {', '.join(already)}.")
        for event_id in unknown:
            near = closest_ids(self.events, event_id)
            hint = (
                f" Did you mean: {', '.join(near)}?"
                if near
                else " Search the record above to find its id."
            )
            parts.append(f"No event has the id '{event_id}'.{hint}")
        if added:
            self._changed()
        return self._say(" ".join(parts))

    def remove(self, raw: Any) -> str:
        """Remove one or more ids from the evidence list."""
        ids = normalise_ids(raw)
        if not ids:
            return self._say("Say which event_id to remove.")
        gone = [i for i in ids if i in self._evidence]
        missing = [i for i in ids if i not in self._evidence]
        self._evidence = [i for i in self._evidence if i not in gone]
        parts = [f"Removed {', '.join(gone)}."] if gone else []
        if missing:
            parts.append(f"Not on your list: {', '.join(missing)}.")
        if gone:
            self._changed()
        return self._say(" ".join(parts))

    def clear(self) -> str:
        """Empty the evidence list."""
        self._evidence = []
        self._changed()
        return self._say("Your evidence list is empty.")

    def matches(self) -> pd.DataFrame:
        """The rows the current search, theme and years select."""
        return search_events(
            self.events, self.search.value, self.theme.value, self.years.value, self._haystack
        )

    # -- internals --
    def _say(self, text: str) -> str:
        self.message.value = f"<p role='status'>{html.escape(text)}</p>" if text else ""
        return text

    def _add_typed(self) -> None:
        self.add(self.id_box.value)
        if self.id_box.value and all(i in self._evidence for i in normalise_ids(self.id_box.value)):
            self.id_box.value = ""

    def _changed(self) -> None:
        if self._store and not save(self._evidence, self._key):
            self.message.value += (
                "<p><em>(Could not save your list to the progress file; "
                "it is kept while this notebook runs.)</em></p>"
            )
        self._refresh_collected()
        self.refresh_results()

    def refresh_results(self) -> None:
        chosen = self.matches()
        if chosen.empty:
            self.results_caption.value = (
                "<p><em>No row matches. Try fewer words, another spelling, "
                "all themes or all years.</em></p>"
            )
            self.results.children = []
            return
        shown = chosen.head(self._limit)
        more = len(chosen) - len(shown)
        self.results_caption.value = (
            f"<p><strong>{len(chosen)} matching row(s)</strong>"
            + (f"; showing the first {len(shown)}: narrow the search for more" if more else "")
            + "</p>"
        )
        rows = []
        for _, row in shown.iterrows():
            event_id = str(row["event_id"])
            taken = event_id in self._evidence
            button = w.Button(
                description="Added" if taken else "Add",
                disabled=taken,
                tooltip=f"Add {event_id} to your evidence",
                layout=w.Layout(width="80px"),
            )
            button.on_click(lambda _b, i=event_id: self.add(i))
            rows.append(w.HBox([button, w.HTML(_row_html(row), layout=w.Layout(width="90%"))]))
        self.results.children = rows

    def _refresh_collected(self) -> None:
        if not self._evidence:
            self.collected_caption.value = (
                "<h4>Your evidence (0)</h4><p><em>Nothing collected yet.</em></p>"
            )
            self.collected.children = []
            return
        self.collected_caption.value = f"<h4>Your evidence ({len(self._evidence)})</h4>"
        rows = []
        for event_id in self._evidence:
            row = self._by_id.loc[event_id].copy()
            row["event_id"] = event_id
            button = w.Button(
                description="Remove",
                tooltip=f"Remove {event_id}",
                layout=w.Layout(width="80px"),
            )
            button.on_click(lambda _b, i=event_id: self.remove(i))
            rows.append(w.HBox([button, w.HTML(_row_html(row), layout=w.Layout(width="90%"))]))
        self.collected.children = rows


def evidence_board(events: pd.DataFrame, *, store: bool = True) -> EvidenceBoard:
    """The capstone's evidence board over the record (see `EvidenceBoard`)."""
    return EvidenceBoard(events, store=store)
