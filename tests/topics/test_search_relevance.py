"""Search finds what learners mean, measured on the relevance set (search_relevance.yaml):
queries written as learners type them (typos, questions, acronyms, error codes, symptoms, limits)
with the sections that answer them. A query succeeds when one of its targets is among the first
three sections; the set must succeed at least SUCCESS_AT_3 of the time overall and in each kind,
and every query that names a limit or a price must get that answer card."""

from collections import Counter, defaultdict
from pathlib import Path

import pytest
import yaml

from studyapp.content.topics import catalog
from studyapp.topics.search import topic_search

RELEVANCE = yaml.safe_load(Path(__file__).with_name("search_relevance.yaml").read_text())
KINDS = ("typo", "question", "acronym", "error", "symptom", "limit", "plain")
# Measured when the set was written: 71 of 77 (92 %); 73 of 77 (95 %) since. The misses are
# listed by the test when it fails; most rank another section of the right page first.
SUCCESS_AT_3 = 0.85
PER_KIND_AT_3 = 0.6


def test_the_set_is_big_and_varied_and_its_targets_exist():
    kinds = Counter(case["kind"] for case in RELEVANCE)
    assert len(RELEVANCE) >= 40 and all(kinds[kind] >= 5 for kind in KINDS), kinds
    topics = catalog().topics
    for case in RELEVANCE:
        for target in case["targets"]:
            slug, _, anchor = target.partition("#")
            assert slug in topics, target
            if anchor:
                assert anchor in {h.anchor for h in topics[slug].rendered.headings}, target


def in_top_three(case) -> bool:
    top = [(hit.topic.slug, hit.anchor) for hit in topic_search().search(case["query"]).hits[:3]]
    accepted = [target.partition("#") for target in case["targets"]]
    return any(
        slug == want_slug and (not want_anchor or anchor == want_anchor)
        for slug, anchor in top
        for want_slug, _, want_anchor in accepted
    )


def test_a_target_is_in_the_top_three_for_nearly_every_query():
    misses, by_kind, totals = [], defaultdict(int), Counter(case["kind"] for case in RELEVANCE)
    for case in RELEVANCE:
        if in_top_three(case):
            by_kind[case["kind"]] += 1
        else:
            misses.append(case["query"])
    rate = 1 - len(misses) / len(RELEVANCE)
    assert rate >= SUCCESS_AT_3, f"success@3 {rate:.0%}; missed: {misses}"
    weak = {
        kind: by_kind[kind] / totals[kind] for kind in KINDS if by_kind[kind] / totals[kind] < PER_KIND_AT_3
    }
    assert not weak, f"kinds below {PER_KIND_AT_3:.0%}: {weak}; missed: {misses}"


def answer_key(answer: str) -> str:
    return answer if answer.startswith("pricing:") else f"limit:{answer}"


ANSWERED = [case for case in RELEVANCE if "answer" in case]


@pytest.mark.parametrize("case", ANSWERED, ids=[case["query"] for case in ANSWERED])
def test_a_named_limit_or_price_is_answered_on_top(case):
    answers = [answer.key for answer in topic_search().search(case["query"]).answers]
    assert answer_key(case["answer"]) in answers[:2], answers
