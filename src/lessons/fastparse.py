"""Split a delimited file into text columns, for the fast path of `schema.read_table`.

Why two splitters: the csv module's split (what the careful reader uses), sped up with
`str.split` on plain text, is the quickest on the small files the lessons load; pandas' C
reader is about three times quicker on big files, but splits a few odd layouts differently,
so its result is only used once the layout is proved plain (`_plain_lines`).

Both return the raw header and one list of texts per column, or raise `Unsure`: this module
never reports a problem, it only declines, and the careful reader then names every problem.
"""

from __future__ import annotations

import csv
import io
from itertools import chain

import numpy as np
import pandas as pd

from lessons import schema as _schema

Columns = tuple[list[str], list[list[str]]]
PANDAS_FROM_BYTES = 1 << 20  # files this big or bigger are split by pandas' C reader
_BOM = b"\xef\xbb\xbf"
_CHUNKED_ABOVE = 8 << 20  # bytes: pandas reads bigger files in chunks, smaller ones at once


class Unsure(Exception):  # a signal, not an error: "let the careful reader run"
    """The fast path cannot vouch for a file (not an error)."""


def split_columns(raw: bytes, delimiter: str, *, parser: str = "auto") -> Columns:
    """Header and text columns of a file whose every record is one line, else `Unsure`.

    `parser` is "csv", "pandas" or "auto" (pandas from `PANDAS_FROM_BYTES` up).
    """
    if len(delimiter) != 1 or delimiter in '"\r\n\x00' or not raw or b"\x00" in raw:
        raise Unsure
    if parser == "pandas" or (parser == "auto" and len(raw) >= PANDAS_FROM_BYTES):
        return _split_with_pandas(raw, delimiter)
    if parser in ("csv", "auto"):
        return _split_with_csv(raw, delimiter)
    raise ValueError(f"unknown parser {parser!r}: use 'auto', 'csv' or 'pandas'")


def _split_with_csv(raw: bytes, delimiter: str) -> Columns:
    """The careful reader's split: its csv module, dialect and limit, or the same done quicker.

    A plain text (see `_split_plain_text`) is split with `str.split`, which goes through long
    quoted text at C speed; the csv module splits any other.
    """
    _schema.raise_field_size_limit()
    if len(raw) < csv.field_size_limit():  # no field can be too long for the csv module
        split = _split_plain_text(raw, delimiter)
        if split is not None:
            return split
    text = raw.decode("utf-8-sig")
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    records = list(reader)
    if len(records) < 2 or reader.line_num != len(records):
        raise Unsure  # no data rows, or a line break inside a field
    header = records[0]
    if set(map(len, records)) != {len(header)}:
        raise Unsure  # a blank line, or a line with more or fewer fields than the header
    return header, [list(column) for column in zip(*records[1:], strict=True)]


_MARK = "\x01"  # stands for a quoted field while the rest of the text is split


def _split_plain_text(raw: bytes, delimiter: str) -> Columns | None:
    """Header and columns as `csv.reader(..., strict=True)` gives them, or None if unsure.

    Plain text: line ends are "\n", no line is blank, every line has the header's number of
    fields, and each quoted field starts and ends at field edges and holds no line end.
    Split at quotes, such a text gives pieces that alternate: text outside quotes, content
    of a quoted field; an empty outside piece between two contents is a doubled quote,
    which joins them. The outside pieces, joined by a mark, are split at line ends and
    delimiters; each field that is a mark takes its quoted content back. Anything else,
    such as a quote inside an unquoted field, leaves a mark inside a field: None.
    """
    if b"\x01" in raw or b"\r" in raw:
        return None
    pieces = raw.decode("utf-8-sig").split('"')
    if not len(pieces) % 2:
        return None  # a quote never closed
    inner = pieces[2:-1:2]
    if "" in inner:  # doubled quotes: join the two sides of each (from the end: indices hold)
        for at in reversed([2 * i + 2 for i, piece in enumerate(inner) if not piece]):
            pieces[at - 1 : at + 2] = [pieces[at - 1] + '"' + pieces[at + 1]]
    contents = pieces[1::2]
    skeleton = _MARK.join(pieces[0::2])
    if skeleton.endswith("\n"):
        skeleton = skeleton[:-1]
    lines = skeleton.split("\n")
    if len(lines) != raw.count(b"\n") + (not raw.endswith(b"\n")):
        return None  # a line break inside quotes: the record spans lines
    rows = [line.split(delimiter) for line in lines]
    width = len(rows[0])
    if len(rows) < 2 or set(map(len, rows)) != {width} or [""] in rows:
        return None  # no data rows, a blank line, or a line with another number of fields
    fields = list(chain.from_iterable(rows))
    if fields.count(_MARK) != len(contents):
        return None  # a mark inside a field: a quote that does not enclose a whole field
    at = -1
    for content in contents:
        at = fields.index(_MARK, at + 1)
        fields[at] = content
    return fields[:width], [fields[width + j :: width] for j in range(width)]


def _split_with_pandas(raw: bytes, delimiter: str) -> Columns:
    lines, longest = _plain_lines(raw, delimiter.encode())
    if longest >= max(csv.field_size_limit(), _schema.MAX_FIELD_CHARS * 10):
        raise Unsure  # a field may be longer than the csv module accepts
    parsed = pd.read_csv(
        io.BytesIO(raw),
        sep=delimiter,
        header=0,
        dtype=str,
        na_filter=False,
        keep_default_na=False,
        skip_blank_lines=False,
        quotechar='"',
        doublequote=True,
        escapechar=None,
        comment=None,
        skipinitialspace=False,
        encoding="utf-8",
        encoding_errors="strict",
        engine="c",
        low_memory=len(raw) > _CHUNKED_ABOVE,
    )
    header = _raw_header(raw, delimiter)
    if (
        len(parsed) == 0  # no data rows: the careful reader says so
        or len(parsed) + 1 != lines
        or list(parsed.columns) != header
        or not isinstance(parsed.index, pd.RangeIndex)
    ):
        raise Unsure
    return header, [series.tolist() for _, series in parsed.items()]


def _plain_lines(raw: bytes, sep: bytes) -> tuple[int, int]:
    """Lines and longest line (bytes) of a file whose every line is one record, else Unsure.

    Plain means: line ends are LF or CRLF, every line has as many fields as the header (so
    no blank line), and quotes only ever enclose a whole field (doubled inside it) that
    holds no line break. For such a file the csv module and pandas' C reader split records
    and fields identically, and record k is on line k + 1. Checked with numpy on the
    positions of quotes, line ends and delimiters.
    """
    if b"\r" in raw and raw.count(b"\r") != raw.count(b"\r\n"):
        raise Unsure
    start = len(_BOM) if raw.startswith(_BOM) else 0
    text = np.frombuffer(raw, dtype=np.uint8, offset=start)
    size, delim = len(text), sep[0]
    quotes = np.flatnonzero(text == ord('"'))
    ends = np.flatnonzero(text == ord("\n"))
    seps = np.flatnonzero(text == delim)
    if len(quotes) % 2 or not len(ends):  # a quote never closed, or a single line
        raise Unsure
    if len(quotes):
        # Quotes alternate: opening, closing. An opening one follows the start of the file,
        # a delimiter, a line end or a closing quote (a doubled quote); a closing one is
        # followed by a delimiter, a line end, the end of the file or an opening quote.
        opening, closing = quotes[0::2], quotes[1::2]
        before = text[opening[opening > 0] - 1]
        after = text[closing[closing < size - 1] + 1]
        if not ((before == delim) | (before == ord("\n")) | (before == ord('"'))).all():
            raise Unsure
        line_end = (after == ord("\r")) | (after == ord("\n"))
        if not ((after == delim) | line_end | (after == ord('"'))).all():
            raise Unsure
        if (np.searchsorted(ends, closing) != np.searchsorted(ends, opening)).any():
            raise Unsure  # a line break inside quotes
        quoted_seps = int((np.searchsorted(seps, closing) - np.searchsorted(seps, opening)).sum())
    else:
        quoted_seps = 0
    lines = len(ends) + (0 if text[-1] == ord("\n") else 1)
    header_fields = int(np.searchsorted(seps, ends[0])) + 1
    if quotes.size and quotes[0] < ends[0]:
        raise Unsure  # a quoted header: count its fields the careful way
    if header_fields < 2 or len(seps) - quoted_seps != (header_fields - 1) * lines:
        raise Unsure  # some line (maybe a blank one) has more or fewer fields than the header
    longest = int(np.diff(ends, prepend=-1, append=size).max())
    return lines, longest


def _raw_header(raw: bytes, delimiter: str) -> list[str]:
    end = raw.find(b"\n")
    line = raw[: end if end >= 0 else len(raw)].rstrip(b"\r").decode("utf-8-sig")
    return next(csv.reader([line], delimiter=delimiter, strict=True))
