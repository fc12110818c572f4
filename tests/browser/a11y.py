"""Accessibility checks shared by the browser tests: axe-core, contrast, keyboard focus.

axe-core (MPL-2.0) is vendored in `tests/browser/assets/axe.min.js` by `tools/vendor_js.py`,
so these checks run offline, as CI does. `run_axe` injects it into the page and returns the
violations; `serious_violations` keeps those of impact serious or critical, minus any listed
in an `allowed` mapping (rule id -> why it cannot be fixed by us), which a test names
explicitly so that a remaining third-party problem is visible, not silently skipped.
"""

from __future__ import annotations

import re
from pathlib import Path

ASSETS = Path(__file__).resolve().parent / "assets"
AXE_JS = ASSETS / "axe.min.js"
SERIOUS = ("serious", "critical")
MIN_FOCUS_CONTRAST = 3.0  # WCAG 2.2 SC 1.4.11 / 2.4.13: a focus indicator against its background
MIN_FOCUS_WIDTH_PX = 2.0

# Runs axe on the document (no preloading of stylesheets: from file:// those requests fail).
AXE_RUN_JS = """async (options) => {
  const result = await axe.run(document, options);
  return result.violations.map((v) => ({
    id: v.id,
    impact: v.impact,
    help: v.help,
    nodes: v.nodes.map((n) => ({target: n.target.join(' '), html: n.html.slice(0, 200)})),
  }));
}"""

# The focused element: what it is, and how its focus indicator looks.
FOCUS_JS = """() => {
  const el = document.activeElement;
  if (!el || el === document.body) return null;
  const style = getComputedStyle(el);
  let bg = 'rgb(255, 255, 255)';
  for (let node = el.parentElement; node; node = node.parentElement) {
    const c = getComputedStyle(node).backgroundColor;
    if (c && c !== 'transparent' && !c.startsWith('rgba(0, 0, 0, 0')) { bg = c; break; }
  }
  const box = el.getBoundingClientRect();
  return {
    tag: el.tagName.toLowerCase(),
    text: (el.getAttribute('aria-label') || el.textContent || '').trim().slice(0, 80),
    href: el.getAttribute('href'),
    outlineStyle: style.outlineStyle,
    outlineWidth: parseFloat(style.outlineWidth) || 0,
    outlineColor: style.outlineColor,
    background: bg,
    visible: box.width > 0 && box.height > 0,
  };
}"""


def run_axe(page, options: dict | None = None) -> list[dict]:
    """axe-core's violations on the page as it is now (every rule axe runs by default)."""
    page.add_script_tag(path=str(AXE_JS))
    return page.evaluate(AXE_RUN_JS, {"preload": False, **(options or {})})


def impact_counts(violations: list[dict]) -> dict[str, int]:
    """How many elements fail, by impact (as reported before/after a fix)."""
    counts: dict[str, int] = {}
    for violation in violations:
        counts[violation["impact"]] = counts.get(violation["impact"], 0) + len(violation["nodes"])
    return counts


def serious_violations(violations: list[dict], allowed: dict[str, str] | None = None) -> list[str]:
    """One line per serious or critical violation not explicitly allowed (with its reason)."""
    allowed = allowed or {}
    return [
        f"{v['impact']} {v['id']} ({v['help']}): {len(v['nodes'])} element(s), e.g. "
        f"{v['nodes'][0]['target']} {v['nodes'][0]['html']!r}"
        for v in violations
        if v["impact"] in SERIOUS and v["id"] not in allowed
    ]


def _channels(css_colour: str) -> tuple[float, float, float]:
    numbers = [float(x) for x in re.findall(r"[\d.]+", css_colour)[:3]]
    if len(numbers) != 3:
        raise ValueError(f"not an rgb() colour: {css_colour!r}")
    return numbers[0], numbers[1], numbers[2]


def contrast(first: str, second: str) -> float:
    """WCAG contrast ratio of two CSS rgb() colours.

    >>> round(contrast("rgb(0, 0, 0)", "rgb(255, 255, 255)"), 1)
    21.0
    """

    def luminance(colour: str) -> float:
        linear = []
        for channel in _channels(colour):
            c = channel / 255
            linear.append(c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4)
        return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]

    high, low = sorted((luminance(first), luminance(second)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def focus_problem(focus: dict | None) -> str | None:
    """Why the focused element's indicator is not clearly visible, or None when it is."""
    if focus is None:
        return "nothing is focused"
    if not focus["visible"]:
        return f"the focused {focus['tag']} is not visible"
    if focus["outlineStyle"] in ("none", "hidden") or focus["outlineWidth"] < MIN_FOCUS_WIDTH_PX:
        return f"the focused {focus['tag']} {focus['text']!r} has no outline of 2 px or more"
    ratio = contrast(focus["outlineColor"], focus["background"])
    if ratio < MIN_FOCUS_CONTRAST:
        return f"the focus ring of {focus['tag']} {focus['text']!r} has contrast {ratio:.2f}:1"
    return None


def tab_through(page, presses: int) -> list[dict | None]:
    """Press Tab `presses` times from the top of the page; the focused element after each."""
    page.evaluate("() => { document.activeElement && document.activeElement.blur(); }")
    page.evaluate("() => window.scrollTo(0, 0)")
    seen = []
    for _ in range(presses):
        page.keyboard.press("Tab")
        seen.append(page.evaluate(FOCUS_JS))
    return seen
