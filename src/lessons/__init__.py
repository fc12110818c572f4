"""Russia–Turkey Lessons: load the sourced data, build charts and widgets, check answers.

`import lessons` changes no behaviour: no renderer switch, no printing. (It only defers a
grammar that Altair's import would build and nothing uses: see `lessons.quick_import`.) A
notebook that wants charts to render offline calls `lessons.setup()` once, in its first cell.

>>> import lessons
>>> "events" in set(lessons.list_datasets()["name"])
True
"""

from lessons.quick_import import defer_iri_grammar

defer_iri_grammar()  # first, before anything can import Altair

from lessons.data import (  # noqa: E402
    data_dir,
    list_datasets,
    load_actors,
    load_cameo,
    load_coded_events,
    load_coded_monthly,
    load_daily_totals,
    load_events,
    load_gas,
    load_glossary,
    load_phases,
    load_places,
    load_report_claims,
    load_shapes,
    load_toll_reports,
)
from lessons.errors import DataError  # noqa: E402
from lessons.glossary import glossary, who  # noqa: E402
from lessons.icews import load_icews_raw  # noqa: E402
from lessons.render import setup  # noqa: E402

__all__ = [
    "DataError",
    "data_dir",
    "glossary",
    "list_datasets",
    "load_actors",
    "load_cameo",
    "load_coded_events",
    "load_coded_monthly",
    "load_daily_totals",
    "load_events",
    "load_gas",
    "load_glossary",
    "load_icews_raw",
    "load_phases",
    "load_places",
    "load_report_claims",
    "load_shapes",
    "load_toll_reports",
    "setup",
    "who",
]
__version__ = "0.1.0"
