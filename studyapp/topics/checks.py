"""Validation of topic pages, limits and prices, for `manage.py check_content`."""

import re
from decimal import Decimal

from studyapp.content.checks import content_checker
from studyapp.content.files import Problem
from studyapp.content.glossary import glossary, glossary_path
from studyapp.content.limits import function_bounds, limits_path, parse_limits
from studyapp.content.pricing import Usage, cents, estimate, parse_price_list, pricing_path
from studyapp.content.questions import questions_dir
from studyapp.content.tokens import UnknownToken, expand
from studyapp.content.topics import build_catalog, catalog, topics_dir

INTERNAL_TOPIC_LINK = re.compile(r'href="/topics/([^/"#]+)/?(?:#[^"]*)?"')
# Limits the sandbox and the calculator rely on by id.
REQUIRED_LIMITS = (
    "timeout",
    "memory_min",
    "memory_max",
    "ephemeral_storage_default",
    "ephemeral_storage_max",
    "env_vars_total",
    "payload_sync_request",
    "payload_sync_response",
    "payload_async",
    "concurrency_default",
    "scaling_rate",
)


@content_checker
def check_topics():
    paths = sorted(topics_dir().glob("*.md"))
    if not paths:
        return [Problem(topics_dir(), "no topic files (*.md) found")]
    catalog = build_catalog(paths)
    problems = list(catalog.problems)
    for topic in catalog.topics.values():
        try:
            expand(topic.body)
            rendered_html = topic.html
        except UnknownToken as error:
            problems.append(Problem(topic.path, str(error)))
            continue
        except Exception as error:  # any renderer failure is a problem in this file
            problems.append(Problem(topic.path, f"Markdown does not render: {error}"))
            continue
        for slug in INTERNAL_TOPIC_LINK.findall(rendered_html):
            if slug not in catalog.topics:
                problems.append(Problem(topic.path, f"link to unknown topic '/topics/{slug}/'"))
    return problems


@content_checker
def check_limits():
    sheet = parse_limits(limits_path())
    problems = []
    for limit_id in REQUIRED_LIMITS:
        try:
            sheet[limit_id]
        except KeyError:
            problems.append(Problem(limits_path(), f"required limit '{limit_id}' is missing"))
    if not problems:
        try:
            function_bounds(sheet)
        except (KeyError, TypeError, ValueError) as error:
            problems.append(
                Problem(limits_path(), f"the function settings' bounds need whole numbers: {error!r}")
            )
    return problems


@content_checker
def check_pricing():
    prices = parse_price_list(pricing_path())
    problems = []
    for example in prices.worked_examples:
        try:
            result = estimate(Usage(**example.inputs), prices)
        except (TypeError, KeyError, ArithmeticError) as error:
            problems.append(Problem(pricing_path(), f"example '{example.id}': bad inputs: {error}"))
            continue
        for key, printed in example.expected.items():
            ours = result.figures.get(key)
            if ours is not None and not _same(key, ours, Decimal(str(printed))):
                problems.append(
                    Problem(
                        pricing_path(),
                        f"example '{example.id}': {key} is {ours}, AWS prints {printed}",
                    )
                )
    return problems


def _same(key: str, ours: Decimal, printed: Decimal) -> bool:
    """Charges agree to the cent; quantities (GB-seconds, requests) exactly."""
    if key.endswith("_charge") or key == "total":
        return cents(ours) == cents(printed)
    return ours == printed


RATE_LITERAL = re.compile(r"\$?(0\.0{4,}\d+)")


def _known_rates(prices) -> set[Decimal]:
    rates = {prices.ephemeral_storage_price_per_gb_second}
    for arch in prices.architectures.values():
        rates |= {tier.price_per_gb_second for tier in arch.duration_tiers}
        rates |= {
            arch.provisioned_concurrency_price_per_gb_second,
            arch.provisioned_duration_price_per_gb_second,
        }
    return {rate.normalize() for rate in rates}


@content_checker
def check_quoted_rates():
    """Every per-GB-second rate written in a page or a question must be one in pricing.yaml, so a
    price change in one file shows up everywhere it is quoted."""

    known = _known_rates(parse_price_list(pricing_path()))
    problems = []
    paths = sorted(topics_dir().glob("*.md")) + sorted(questions_dir().glob("*.yaml"))
    for path in paths:
        for number, text in _rate_literals(path.read_text(encoding="utf-8")):
            if Decimal(number).normalize() not in known:
                problems.append(Problem(path, f"rate {text} is not a rate in content/pricing.yaml"))
    return problems


def _rate_literals(text: str):
    for match in RATE_LITERAL.finditer(text):
        yield match.group(1), match.group(0)


@content_checker
def check_glossary():
    """Every term points at an existing page (and heading, when it names one)."""
    path = glossary_path()
    problems = []
    topics = catalog().topics
    for term in glossary().terms:
        topic = topics.get(term.topic)
        if topic is None:
            problems.append(Problem(path, f"term '{term.term}': no topic '{term.topic}'"))
        elif term.section and term.section not in {h.anchor for h in topic.rendered.headings}:
            problems.append(
                Problem(path, f"term '{term.term}': no heading '#{term.section}' on {term.topic}")
            )
    return problems
