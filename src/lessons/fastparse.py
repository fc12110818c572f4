"""Split a delimited file into text columns, for the fast path of `schema.read_table`.

Why two splitters: splitting lines with `str.split` (checked against the csv module's rules,
which the careful reader uses) is the quickest on the small files the lessons load; pandas'
C reader is about three times quicker on big files, but splits a few odd layouts
differently, so its result is only used once the layout is proved plain (`_plain_lines`).

Both return the raw header and one list of texts per column, or raise `Unsure`: this module
never reports a problem, it only declines, and the careful reader then names every problem.
"""

from __future__ import annotations

import csv
import io

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
    """The careful reader's own split, in one pass: same reader, same dialect, same limit.

    Lines that are plain (see `_split_plain_lines`) are split with `str.split`, which skips
    through long quoted text at C speed; the csv module's split is used for anything else.
    """
    text = raw.decode("utf-8-sig")
    _schema.raise_field_size_limit()
    records = None
    if b"\r" not in raw:
        lines = text.split("\n")
        if lines[-1] == "":  # the text ends with a line end
            lines.pop()
        if max(map(len, lines), default=0) < csv.field_size_limit():
            records = _split_plain_lines(lines, delimiter)
    if records is None:
        reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
        records = list(reader)
        if reader.line_num != len(records):
            raise Unsure  # a line break inside a field
    if len(records) < 2:
        raise Unsure  # no data rows
    header = records[0]
    if set(map(len, records)) != {len(header)}:
        raise Unsure  # a blank line, or a line with more or fewer fields than the header
    body = records[1:]
    return header, [list(column) for column in zip(*body, strict=True)]


def _split_plain_lines(lines: list[str], delimiter: str) -> list[list[str]] | None:
    """Each line's fields, as `csv.reader(..., strict=True)` gives them, or None if unsure.

    Plain lines: none is empty, and every quote either opens a field (at its start), closes
    it (before a delimiter or the line end) or is doubled inside it, so a line is one record.
    Splitting a line at its quotes then gives pieces that alternate between text outside
    quotes (split at the delimiter) and the content of quoted fields.
    """
    records = []
    for line in lines:
        if '"' not in line:
            if not line:
                return None  # a blank line: the careful reader skips it and counts lines
            records.append(line.split(delimiter))
            continue
        pieces = line.split('"')
        if not len(pieces) % 2:
            return None  # a quote never closed on this line
        fields = pieces[0].split(delimiter)
        quoted: str | None = None
        last = len(pieces) - 1
        for i in range(1, last, 2):
            inside, after = pieces[i], pieces[i + 1]
            if quoted is None:  # an opening quote must start a field
                if fields[-1]:
                    return None
                quoted = inside
            else:  # the quote before this piece was doubled
                quoted += '"' + inside
            if not after and i + 1 < last:
                continue  # a doubled quote: the field goes on
            if after and after[0] != delimiter:
                return None  # text after a closing quote: the csv module refuses it
            fields[-1] = quoted
            quoted = None
            if after:
                fields.extend(after[1:].split(delimiter))
        records.append(fields)
    return records


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
