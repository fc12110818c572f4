"""Clearly synthetic, schema-valid data files for the scaling benchmarks (never shipped).

Why synthetic: the bundled files are small (179 events, 1,542 coded events), so fixed costs
hide how a loader or summary scales. These files reuse real rows so every value still obeys
the schema, but they are marked as synthetic (file names, ids) and written only to a
temporary folder the caller owns, never into `data/`.
"""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
import pandas as pd

import lessons

SEED = 20260101


def bundled_file(name: str) -> Path:
    """The bundled file of a dataset, found through the public `list_datasets()`."""
    datasets = lessons.list_datasets().set_index("name")
    return lessons.data_dir() / datasets.loc[name, "file"]


def synthetic_events(folder: Path, rows: int) -> Path:
    """`rows` events made by repeating data/events.csv with new ids `synthetic-NNNNNN-...`."""
    with open(bundled_file("events"), encoding="utf-8", newline="") as handle:
        header, *records = list(csv.reader(handle))
    id_col = header.index("event_id")
    path = folder / f"SYNTHETIC_events_{rows}.csv"
    with open(path, "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(header)
        for i in range(rows):
            record = list(records[i % len(records)])
            record[id_col] = f"synthetic-{i:07d}-{record[id_col]}"
            writer.writerow(record)
    return path


def synthetic_coded_events(folder: Path, rows: int) -> Path:
    """`rows` coded events (the ICEWS18 extract's schema), resampled with random 2018 dates.

    Each row is a real coded event (so CAMEO code, QuadClass and Goldstein weight agree)
    with its date redrawn uniformly over 2018 and its order shuffled.
    """
    real = pd.read_csv(bundled_file("icews18_rus_tur"), dtype=str, keep_default_na=False)
    rng = np.random.default_rng(SEED)
    frame = real.iloc[rng.integers(0, len(real), rows)].reset_index(drop=True)
    days = rng.integers(0, 365, rows)
    frame["date"] = (np.datetime64("2018-01-01") + days).astype("datetime64[D]").astype(str)
    path = folder / f"SYNTHETIC_icews18_rus_tur_events_{rows}.csv"
    frame.to_csv(path, index=False, lineterminator="\n")
    return path


def load_synthetic_coded(path: Path) -> pd.DataFrame:
    """Load a synthetic coded-event file through the lessons loader (full validation)."""
    return lessons.load_coded_events(path)
