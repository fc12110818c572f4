"""`import lessons` defers the IRI grammar Altair's import would build, and changes nothing else.

Each case runs in a fresh Python, since the point is what happens at import time.
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

IRIS = ["http://example.com/ä?x=1", "not an iri", "../a b", "../a", "urn:isbn:0451450523", ""]
CHECK = f"""
import json, sys
import jsonschema
checker = jsonschema.FormatChecker()
answers = [[checker.conforms(v, f) for f in ("iri", "iri-reference")] for v in {IRIS!r}]
"""


def _run(code: str) -> dict:
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=120
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_altair_loads_without_building_the_grammar() -> None:
    found = _run(
        "import json, sys\nimport lessons\nfrom lessons import charts, widgets\nlessons.setup()\n"
        "import importlib.util\n"
        "print(json.dumps({'helpers': 'rfc3987_syntax.syntax_helpers' in sys.modules,"
        " 'stand_in': getattr(sys.modules['rfc3987_syntax'], '_lessons_stand_in', False),"
        " 'spec': importlib.util.find_spec('rfc3987_syntax') is not None}))"
    )
    assert found == {"helpers": False, "stand_in": True, "spec": True}


def test_iri_checks_answer_as_without_lessons_and_then_use_the_real_module() -> None:
    plain = _run(CHECK + "print(json.dumps({'answers': answers}))")
    deferred = _run(
        "import lessons, altair\n"
        + CHECK
        + "m = sys.modules['rfc3987_syntax']\n"
        + "print(json.dumps({'answers': answers,"
        " 'real': not getattr(m, '_lessons_stand_in', False),"
        " 'helpers': 'rfc3987_syntax.syntax_helpers' in sys.modules}))"
    )
    assert deferred["answers"] == plain["answers"]
    assert deferred["answers"][0] == [True, True] and deferred["answers"][2] == [False, False]
    assert deferred["real"] and deferred["helpers"]


def test_a_module_already_loaded_is_left_alone() -> None:
    found = _run(
        "import json, sys, rfc3987_syntax\nbefore = sys.modules['rfc3987_syntax']\n"
        "import lessons\n"
        "print(json.dumps({'same': sys.modules['rfc3987_syntax'] is before}))"
    )
    assert found == {"same": True}


@pytest.mark.parametrize("name", ["__path__", "__file__", "__wrapped__", "__version__"])
def test_the_stand_in_answers_dunder_lookups_without_loading_the_real_module(name: str) -> None:
    found = _run(
        "import json, sys\nimport lessons\n"
        f"getattr(sys.modules['rfc3987_syntax'], {name!r}, None)\n"
        "print(json.dumps({'helpers': 'rfc3987_syntax.syntax_helpers' in sys.modules}))"
    )
    assert found == {"helpers": False}
