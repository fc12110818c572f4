"""Read a raw ICEWS yearly file (Harvard Dataverse tab format) as a learner downloads it.

Why: the bundled extract is one year of one dyad. A learner who downloads another year from
the Dataverse (doi:10.7910/DVN/28075) can read it here and get the same columns as the
extract, so every chart and summary in the lessons works on their own data too.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from lessons.errors import DataError, Problem
from lessons.reader import read

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

    >>> sample = Path(__file__).parents[2] / "tests/fixtures/icews/events.2018.sample.rus_tur.tsv"
    >>> raw = load_icews_raw(sample)  # 15 rows of the 2018 file, as downloaded
    >>> len(raw), raw["Event Date"].min().year
    (15, 2018)
    """
    path = Path(path)
    table = read(path, RAW_SCHEMA, delimiter="\t")
    frame = table.frame
    from lessons.data import load_cameo  # the bundled codebook names every valid code

    _check_codes(frame["CAMEO Code"], load_cameo(), str(path), table.rows)
    frame.attrs.update(
        {
            "path": str(path),
            "source": "ICEWS Coded Event Data (raw Dataverse format)",
            "citation": "Boschee et al. (2015) ICEWS Coded Event Data, doi:10.7910/DVN/28075",
        }
    )
    return frame


def _check_codes(codes: pd.Series, cameo: pd.DataFrame, where: str, rows: list[int] | None) -> None:
    """Every CAMEO code must be in the codebook; the first stray one is named by its file line.

    `rows` are the file lines of the records (from the reader); for a frame that did not come
    from a file (None), the message names the frame's row position instead.
    """
    unknown = ~codes.isin(cameo["cameo_code"])
    if not unknown.any():
        return
    i = int(unknown.to_numpy().nonzero()[0][0])
    rule = "not a code in the CAMEO codebook"
    raise DataError(
        [
            Problem(
                where,
                rows[i] if rows is not None else None,
                "CAMEO Code",
                str(codes.iloc[i]),
                rule if rows is not None else f"{rule} (row {i} of the table, counting from 0)",
                "foreign-key-error",
            )
        ]
    )


def raw_to_coded(raw: pd.DataFrame, cameo: pd.DataFrame) -> pd.DataFrame:
    """Turn raw ICEWS rows into the columns of the bundled extract (one row per report).

    Only rows whose source and target countries are both known (RUS, TUR, SYR, LBY) are
    returned; the count of rows left out is in `attrs["rows_outside_countries"]`.
    """
    src = raw["Source Country"].map(COUNTRY_CODES)
    tgt = raw["Target Country"].map(COUNTRY_CODES)
    keep = src.notna() & tgt.notna()
    codes = cameo.set_index("cameo_code")
    _check_codes(raw["CAMEO Code"], cameo, raw.attrs.get("path", "ICEWS table"), None)
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
