"""The content's promises: every page renders with sources, its internal links resolve, its
handler examples run in the sandbox, limits come from limits.yaml, and the bank is complete."""

import re
from collections import Counter
from pathlib import Path

import pytest
from django.conf import settings

from studyapp.content.library import library
from studyapp.content.limits import limit_sheet
from studyapp.content.questions import bank
from studyapp.content.topics import catalog
from studyapp.sandbox.runtime import FunctionConfig

TOPICS = list(catalog.__wrapped__().topics.values())
HANDLER_DEF = re.compile(r"^def (\w+)\(\s*event\s*,\s*context\s*\)", re.MULTILINE)
INTERNAL_LINK = re.compile(r'href="(/[^"#?]*)')
HANDLER_BLOCKS = [
    (topic, index, block)
    for topic in TOPICS
    for index, block in enumerate(topic.rendered.code_blocks)
    if block.language in ("python", "py", "python3") and HANDLER_DEF.search(block.code)
]


def test_the_notes_are_covered_by_about_forty_pages():
    assert len(TOPICS) >= 40


@pytest.mark.django_db
@pytest.mark.parametrize("topic", TOPICS, ids=[t.slug for t in TOPICS])
def test_page_renders_with_sources_and_its_links_resolve(client, topic):
    response = client.get(topic.url)
    assert response.status_code == 200
    assert topic.sources and all(url.startswith("https://") for url in topic.sources)
    assert 'class="admonition tip"' in topic.html and "In an interview" in topic.html
    for path in sorted(set(INTERNAL_LINK.findall(topic.html))):
        assert client.get(path).status_code == 200, f"{topic.slug} links to {path}"


@pytest.mark.parametrize(
    ("topic", "index", "block"), HANDLER_BLOCKS, ids=[f"{t.slug}-{i}" for t, i, _ in HANDLER_BLOCKS]
)
def test_handler_examples_run_in_the_sandbox(engine, topic, index, block):
    name = HANDLER_DEF.search(block.code).group(1)
    config = FunctionConfig(
        files={"lambda_function.py": block.code},
        handler=f"lambda_function.{name}",
        timeout_s=30,
        memory_mb=256,
    )
    slug = block.attributes.get("data-event") or topic.sandbox_event
    event = library().events[slug].json_text if slug else "{}"
    result = engine.invoke(config, event, seed_resources=bool(slug))
    unrunnable = {"Runtime.UserCodeSyntaxError", "Runtime.HandlerNotFound"}
    assert result.error_type not in unrunnable, result.payload_json
    if "# needs:" not in block.code:  # a block may say which package it needs that the sandbox lacks
        assert result.status == "success", (topic.slug, index, result.payload_json, result.log[-800:])


TYPED_LIMIT = re.compile(r"\b(900 seconds|10,240 MB|10240 MB|6 MB|4 KB|1,000 concurrent)\b")


def test_the_main_limits_are_quoted_through_tokens_not_typed():
    """A limit typed as a number would not follow a change in limits.yaml."""
    offenders = []
    for topic in TOPICS:
        if topic.slug == "common-misconceptions":
            continue  # it quotes common wrong numbers on purpose
        body = re.sub(r"```.*?```", "", topic.body, flags=re.DOTALL)  # code may carry literals
        offenders += [f"{topic.slug}: {match}" for match in TYPED_LIMIT.findall(body)]
    for path in sorted(Path(settings.CONTENT_DIR, "questions").glob("*.yaml")):
        offenders += [f"{path.name}: {match}" for match in TYPED_LIMIT.findall(path.read_text())]
    assert offenders == []


def test_limit_tokens_in_questions_are_expanded_everywhere_they_show():
    leaks = []
    for question in bank().questions.values():
        shown = [question.prompt_html, question.prompt_text, question.explanation_html, *question.rubric]
        shown += [text for choice in question.choices for text in (choice.html, choice.why_html)]
        shown.append(question.model_answer_html)
        leaks += [question.id for text in shown if "[[" in text]
    assert leaks == []
    timeout = bank().questions["lambda-at-edge-viewer-timeout"]
    assert timeout.answer == limit_sheet()["edge_viewer_timeout"].value


def test_the_bank_is_complete():
    questions = list(bank().questions.values())
    kinds = Counter(q.type for q in questions)
    assert len(questions) >= 200
    assert kinds["code"] >= 25 and kinds["open"] >= 40
    assert set(kinds) == {"single", "multi", "truefalse", "numeric", "short", "open", "code"}
    difficulty = Counter(q.difficulty for q in questions)
    assert all(difficulty[level] >= len(questions) // 8 for level in ("easy", "medium", "hard"))
    assert sum(q.is_interview for q in questions) >= 40


@pytest.mark.parametrize("topic", TOPICS, ids=[t.slug for t in TOPICS])
def test_every_page_has_at_least_four_questions(topic):
    assert len(bank().by_topic.get(topic.slug, [])) >= 4


def test_every_starter_handler_has_a_sample_event_and_there_are_twenty():
    assert len(library().handlers) >= 20


# The learner never saw the notes the content was planned from: a page or question may name a
# common claim, never "note 003" or "the source notes".
NOTE_REFERENCE = re.compile(
    r"\bnotes?\s*\(?0\d\d\b|\b(?:source|seed|study) notes?\b|\bthe notes\b|\bnotes'|\bin the notes\b",
    re.IGNORECASE,
)


def _learner_text(question) -> list[str]:
    texts = [question.prompt, question.explanation, question.model_answer, *question.rubric]
    texts += [text for choice in question.choices for text in (choice.text, choice.why)]
    return texts


def test_no_page_or_question_refers_the_learner_to_notes():
    offenders = []
    for topic in TOPICS:
        for text in (topic.title, topic.summary, topic.body):
            offenders += [f"{topic.slug}: {m.group(0)}" for m in NOTE_REFERENCE.finditer(text)]
    for question in bank().questions.values():
        for text in _learner_text(question):
            offenders += [f"{question.id}: {m.group(0)}" for m in NOTE_REFERENCE.finditer(text)]
    assert offenders == []


def test_the_note_reference_check_catches_the_shapes_it_is_for():
    caught = ["Claim (note 004): x", "one of the source notes", "The notes say", "the notes' question"]
    caught += ["notes 001 and 002", "a seed note"]
    assert all(NOTE_REFERENCE.search(text) for text in caught)
    assert not any(NOTE_REFERENCE.search(t) for t in ["Note that Lambda", "release notes", "!!! note"])
