"""Numbers quoted from the single sources: `[[limit:timeout]]` in a page or a question becomes
"900 seconds" from content/limits.yaml, `[[limit:timeout|value]]` just "900", and
`[[price:request_price_per_million]]` "$0.20" from content/pricing.yaml. Change a limit in one
file and every page and question that quotes it follows. `[[term:dlq]]` links a term to its
glossary entry (content/glossary.yaml), with the long form as the link's title."""

from __future__ import annotations

import re
from decimal import Decimal

from studyapp.content.glossary import term_by_anchor
from studyapp.content.limits import limit_sheet
from studyapp.content.pricing import price_list

TOKEN = re.compile(r"\[\[(limit|price):([a-z0-9_]+)(?:\|(value|unit))?\]\]|\[\[(term):([a-z0-9-]+)\]\]")


class UnknownToken(ValueError):
    pass


def _number(value) -> str:
    if isinstance(value, bool) or not isinstance(value, int | float | Decimal):
        return str(value)
    if value == int(value):
        return f"{int(value):,}"
    return f"{value:,}".rstrip("0").rstrip(".")


def _limit(limit_id: str, part: str | None) -> str:
    try:
        limit = limit_sheet()[limit_id]
    except KeyError:
        raise UnknownToken(f"unknown limit '{limit_id}' (see content/limits.yaml)") from None
    if part == "value":
        return _number(limit.value)
    if part == "unit":
        return limit.unit
    return f"{_number(limit.value)} {limit.unit}".strip()


def _price(key: str) -> str:
    prices = price_list()
    value = getattr(prices, key, None)
    if not isinstance(value, Decimal | int):
        raise UnknownToken(f"unknown price '{key}' (a number field of content/pricing.yaml)")
    # Sub-cent rates in plain decimals ("$0.0000000309"), never exponent notation.
    return f"${value:.2f}" if value >= Decimal("0.01") else f"${value:f}"


def _term(anchor: str) -> str:
    term = term_by_anchor(anchor)
    if term is None:
        raise UnknownToken(f"unknown glossary term '{anchor}' (see content/glossary.yaml)")
    title = (term.long or term.definition).replace('"', "'")
    return f'[{term.term}](/glossary/#{term.anchor} "{title}")'


def expand(text: str, strict: bool = True) -> str:
    """Replace every token. An unknown one raises UnknownToken naming it (check_content), or,
    when not strict (serving pages), stays visible as written rather than breaking the page."""

    def replace(match: re.Match) -> str:
        kind, key, part, is_term, term = match.groups()
        try:
            if is_term:
                return _term(term)
            return _limit(key, part) if kind == "limit" else _price(key)
        except UnknownToken:
            if strict:
                raise
            return match.group(0)

    return TOKEN.sub(replace, text)
