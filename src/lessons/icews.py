"""Read a raw ICEWS yearly file (Harvard Dataverse tab format) as a learner downloads it.

Why: the bundled extract is one year of one dyad. A learner who downloads another year from
the Dataverse (doi:10.7910/DVN/28075) can read it here and get the same columns as the
extract, so every chart and summary in the lessons works on their own data too.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from lessons.errors import DataError, Problem
from lessons.schema import read_table

COUNTRY_CODES = {
    "Russian Federation": "RUS",
    "Turkey": "TUR",
    "Syria": "SYR",
    "Libya": "LBY",
}

RAW_SCHEMA = {
    "missingValues": ["", "NA"],
    "fields": [
        {"name": "Event ID", "type": "integer", "constraints": {"required": True}},
        {"name": "Event Date", "type": "date", "constraints": {"required": True}},
        {"name": "Source Name", "type": "string", "constraints": {"required": True}},
        {"name": "Source Sectors", "type": "string"},
        {"name": "Source Country", "type": "string"},
        {"name": "Event Text", "type": "string", "constraints": {"required": True}},
        {
            "name": "CAMEO Code",
            "type": "string",
            "constraints": {"required": True, "pattern": r"^[0-9]{2,4}$"},
        },
        {
            "name": "Intensity",
            "type": "number",
            "constraints": {"required": True, "minimum": -10, "maximum": 10},
        },
        {"name": "Target Name", "type": "string", "constraints": {"required": True}},
        {"name": "Target Sectors", "type": "string"},
        {"name": "Target Country", "type": "string"},
        {"name": "Story ID", "type": "integer"},
        {"name": "Sentence Number", "type": "integer"},
        {"name": "Publisher", "type": "string"},
        {"name": "City", "type": "string"},
        {"name": "District", "type": "string"},
        {"name": "Province", "type": "string"},
        {"name": "Country", "type": "string"},
        {"name": "Latitude", "type": "number"},
        {"name": "Longitude", "type": "number"},
    ],
}


def load_icews_raw(path: str | Path) -> pd.DataFrame:
    """Read and validate a raw ICEWS tab file; 'NA' cells become missing values.

    >>> raw = load_icews_raw(Path("tests/fixtures/icews/events.2018.sample.rus_tur.tsv"))
    >>> len(raw)
    15
    """
    path = Path(path)
    frame = read_table(path, RAW_SCHEMA, delimiter="\t")
    frame.attrs.update(
        {
            "path": str(path),
            "source": "ICEWS Coded Event Data (raw Dataverse format)",
            "citation": "Boschee et al. (2015) ICEWS Coded Event Data, doi:10.7910/DVN/28075",
        }
    )
    return frame


def raw_to_coded(raw: pd.DataFrame, cameo: pd.DataFrame) -> pd.DataFrame:
    """Turn raw ICEWS rows into the columns of the bundled extract (one row per report).

    Only rows whose source and target countries are both known (RUS, TUR, SYR, LBY) are
    returned; the count of rows left out is in `attrs["rows_outside_countries"]`.
    """
    src = raw["Source Country"].map(COUNTRY_CODES)
    tgt = raw["Target Country"].map(COUNTRY_CODES)
    keep = src.notna() & tgt.notna()
    codes = cameo.set_index("cameo_code")
    unknown = ~raw["CAMEO Code"].isin(codes.index)
    if unknown.any():
        i = unknown[unknown].index[0]
        rows = raw.attrs.get("rows", list(range(2, len(raw) + 2)))
        raise DataError(
            [
                Problem(
                    raw.attrs.get("path", "ICEWS file"),
                    rows[i],
                    "CAMEO Code",
                    str(raw.at[i, "CAMEO Code"]),
                    "not a code in the CAMEO codebook",
                )
            ]
        )
    sub = raw[keep]
    code = sub["CAMEO Code"]
    out = pd.DataFrame(
        {
            "date": sub["Event Date"],
            "source": sub["Source Name"],
            "source_country": src[keep],
            "relation": sub["Event Text"],
            "cameo_code": code,
            "cameo_root": code.str[:2],
            "quad_class": codes.loc[code, "quad_class"].to_numpy(),
            "goldstein": sub["Intensity"],
            "target": sub["Target Name"],
            "target_country": tgt[keep],
            "publisher": sub["Publisher"],
            "story_id": sub["Story ID"],
        }
    ).reset_index(drop=True)
    out.attrs = {**raw.attrs, "rows_outside_countries": int((~keep).sum())}
    return out
