"""Russia–Turkey Lessons: load the sourced data, build charts and widgets, check answers.

`import lessons` changes nothing global: no renderer switch, no printing, no module put in
`sys.modules` but the ones it imports. A notebook that wants charts to render offline calls
`lessons.setup()` once, in its first cell.

>>> import lessons
>>> "events" in set(lessons.list_datasets()["name"])
True
"""

from lessons.data import (
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
from lessons.errors import DataError
from lessons.glossary import glossary, who
from lessons.icews import load_icews_raw
from lessons.render import setup

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
