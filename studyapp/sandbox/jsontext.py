"""JSON text as the sandbox reads and shows it: how deep it nests, and pretty-printed when that is
safe. Python's json recurses once per level (RecursionError near 1,000 levels, fewer inside a
request), so the sandbox takes events up to MAX_DEPTH levels and shows deeper text as it came."""

from __future__ import annotations

import json
import re
from itertools import accumulate

MAX_DEPTH = 512  # PHP's json_decode default; real events nest a few dozen levels at most

# Strings (brackets inside them do not count) and runs of anything that is not a bracket.
_NOT_BRACKETS = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"|[^\[\]{}"]+|"')
_STEP = {"[": 1, "{": 1, "]": -1, "}": -1}


def nesting_depth(text: str) -> int:
    """How many arrays and objects deep the text goes, counted without parsing (no recursion)."""
    brackets = _NOT_BRACKETS.sub("", text)
    return max(accumulate(map(_STEP.__getitem__, brackets)), default=0)


def pretty(text: str | None) -> str:
    """Indented JSON for display; text that is not JSON, or nests too deeply, is shown as it is."""
    if text is None:
        return ""
    if nesting_depth(text) > MAX_DEPTH:
        return text
    try:
        return json.dumps(json.loads(text), indent=2, ensure_ascii=False)
    except (ValueError, RecursionError):
        return text


def pretty_value(value) -> str:
    """The same for a value already parsed (e.g. a destination record holding the payload)."""
    try:
        return json.dumps(value, indent=2, ensure_ascii=False)
    except RecursionError:
        return "(not shown: it nests too deeply to print)"
