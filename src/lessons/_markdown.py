"""The little markdown an exercise's text uses, as safe HTML (escaped first).

Why its own module: the grader (`checks`), the exercise widget (`_ask`) and the handouts all show
exercise text; one function below all of them keeps that text the same everywhere.
"""

from __future__ import annotations

import html
import re


def markdown_html(text: str) -> str:
    """Small markdown as safe HTML: escaped first, then **bold**, *italic*, `code`, breaks.

    >>> markdown_html("The **toll explorer**: `<b>` is *text*.\\nNext")
    'The <strong>toll explorer</strong>: <code>&lt;b&gt;</code> is <em>text</em>.<br>Next'
    """
    parts = str(text).split("`")
    out = []
    for i, part in enumerate(parts):
        escaped = html.escape(part)
        if i % 2 == 1 and i < len(parts) - 1:
            out.append(f"<code>{escaped}</code>")
        else:
            if i % 2 == 1:  # an unmatched backtick: keep it as text
                escaped = "`" + escaped
            escaped = re.sub(r"\*\*(.+?)\*\*", r"<strong>\1</strong>", escaped, flags=re.S)
            escaped = re.sub(r"(?<![\w*])\*(?=\S)(.+?)(?<=\S)\*(?![\w*])", r"<em>\1</em>", escaped)
            out.append(escaped)
    joined = "".join(out).strip()
    joined = re.sub(r"\n\s*\n", "</p><p>", joined)
    joined = joined.replace("\n", "<br>")
    return joined if "</p><p>" not in joined else f"<p>{joined}</p>"
