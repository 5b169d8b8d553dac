"""Questions as an Anki package (.apkg), built with genanki.

Ids are derived from names, never random: a note's guid comes from the question's content id
and each note type's and deck's id from its name, so importing a newer export updates the
cards a learner already has (and keeps their review history) instead of adding duplicates.
"""

from __future__ import annotations

import hashlib
import html
import os
import re
import tempfile
from collections.abc import Iterable

import genanki

from studyapp.content.markdown import render_markdown
from studyapp.content.questions import CHOICE_TYPES, Question
from studyapp.core.pygments_css import LIGHT_STYLE, style_rules

CSS = (
    ".card { font-family: system-ui, sans-serif; font-size: 18px; text-align: left; "
    "line-height: 1.45; max-width: 46em; margin: 0 auto; }\n"
    ".meta { color: #666; font-size: 14px; }\n"
    ".choices li { margin: .3em 0; } .right { font-weight: bold; }\n"
    "pre { white-space: pre-wrap; font-size: 15px; padding: .6em; border-radius: 4px; }\n"
    "table { border-collapse: collapse; } td, th { border: 1px solid #ccc; padding: .2em .4em; }\n"
    + style_rules(LIGHT_STYLE, ".highlight")
)

FRONT = '<div class="meta">{{Topic}}</div>{{Question}}'
COMMON_TAIL = ["Explanation", "Topic", "Link", "Id"]

# One note type per kind of question: the back of each shows what that kind is graded on.
KINDS = {
    "choice": {
        "fields": ["Question", "Choices", "Answer", *COMMON_TAIL],
        "front": FRONT + "{{Choices}}",
        "back": "<hr id=answer><h3>Answer</h3>{{Answer}}",
    },
    "numeric": {
        "fields": ["Question", "Answer", *COMMON_TAIL],
        "front": FRONT,
        "back": "<hr id=answer><h3>Answer</h3>{{Answer}}",
    },
    "short": {
        "fields": ["Question", "Answer", *COMMON_TAIL],
        "front": FRONT,
        "back": "<hr id=answer><h3>Accepted answers</h3>{{Answer}}",
    },
    "open": {
        "fields": ["Question", "Model answer", "Rubric", *COMMON_TAIL],
        "front": FRONT,
        "back": (
            "<hr id=answer><h3>Model answer</h3>{{Model answer}}<h3>What a good answer covers</h3>{{Rubric}}"
        ),
    },
    "code": {
        "fields": ["Question", "Starter", "Solution", *COMMON_TAIL],
        "front": FRONT + "{{Starter}}",
        "back": "<hr id=answer><h3>A solution</h3>{{Solution}}",
    },
}
TAIL_BACK = (
    "{{#Explanation}}<h3>Why</h3>{{Explanation}}{{/Explanation}}"
    '<p class=meta><a href="{{Link}}">Read the topic</a></p>'
)


def stable_id(name: str) -> int:
    """A deterministic id in the range Anki uses for models and decks."""
    digest = int.from_bytes(hashlib.sha256(f"coldstart:{name}".encode()).digest()[:8], "big")
    return (1 << 30) + digest % (1 << 30)


def note_type(kind: str) -> genanki.Model:
    spec = KINDS[kind]
    return genanki.Model(
        stable_id(f"model:{kind}"),
        f"Coldstart: {kind}",
        fields=[{"name": name} for name in spec["fields"]],
        templates=[
            {
                "name": f"{kind.capitalize()} card",
                "qfmt": spec["front"],
                "afmt": "{{FrontSide}}" + spec["back"] + TAIL_BACK,
            }
        ],
        css=CSS,
    )


NOTE_TYPES = {kind: note_type(kind) for kind in KINDS}


def kind_of(question: Question) -> str:
    return "choice" if question.type in CHOICE_TYPES else question.type


def note_guid(question: Question) -> str:
    return genanki.guid_for("coldstart", question.id)


def tag(text: str) -> str:
    """Anki tags cannot hold spaces."""
    return re.sub(r"\s+", "_", text.strip())


def tags_for(question: Question) -> list[str]:
    tags = ["coldstart", f"type::{question.type}", f"difficulty::{question.difficulty}"]
    tags += [f"topic::{slug}" for slug in question.topics]
    if question.section:
        tags.append(f"section::{question.topics[0]}::{question.section}")
    tags += [f"tag::{name}" for name in question.tags]
    return [tag(name) for name in tags]


_RELATIVE_LINK = re.compile(r'(href|src)="/(?!/)')


def absolute(fragment: str, base_url: str) -> str:
    """Links inside a card must work outside the site."""
    return _RELATIVE_LINK.sub(lambda m: f'{m.group(1)}="{base_url}/', fragment)


def _code(source: str) -> str:
    return render_markdown(f"```python\n{source}\n```").html


def _choices(question: Question) -> str:
    items = "".join(f"<li>{choice.html}</li>" for choice in question.choices)
    return f'<ol class="choices" type="A">{items}</ol>'


def _answer(question: Question) -> str:
    if question.type in CHOICE_TYPES:
        rows = []
        for index, choice in enumerate(question.choices):
            letter = chr(ord("A") + index)
            mark = "✔" if choice.correct else "✘"
            why = f" — {choice.why_html}" if choice.why else ""
            css = "right" if choice.correct else ""
            rows.append(f'<li class="{css}">{mark} {letter}. {choice.html}{why}</li>')
        return f"<ul class=choices>{''.join(rows)}</ul>"
    if question.type == "numeric":
        tolerance = f" (± {question.tolerance:g})" if question.tolerance else ""
        return html.escape(f"{question.answer:g} {question.unit}".strip() + tolerance)
    return "<ul>" + "".join(f"<li>{html.escape(text)}</li>" for text in question.accepted) + "</ul>"


def fields_for(question: Question, topic_title: str, base_url: str) -> list[str]:
    kind = kind_of(question)
    if kind == "choice":
        body = [question.prompt_html, _choices(question), _answer(question)]
    elif kind in ("numeric", "short"):
        body = [question.prompt_html, _answer(question)]
    elif kind == "open":
        rubric = "<ul>" + "".join(f"<li>{html.escape(item)}</li>" for item in question.rubric) + "</ul>"
        body = [question.prompt_html, question.model_answer_html, rubric]
    else:
        body = [question.prompt_html, _code(question.starter), _code(question.solution)]
    link = f"{base_url}{question.topic_url}"
    tail = [question.explanation_html, html.escape(topic_title), link, html.escape(question.id)]
    return [absolute(value, base_url) for value in [*body, *tail]]


def build_package(
    deck_name: str, questions: Iterable[Question], topic_titles: dict[str, str], base_url: str
) -> bytes:
    """The .apkg bytes of one deck holding `questions`."""
    deck = genanki.Deck(stable_id(f"deck:{deck_name}"), deck_name)
    for question in questions:
        title = topic_titles.get(question.topics[0], question.topics[0])
        deck.add_note(
            genanki.Note(
                model=NOTE_TYPES[kind_of(question)],
                fields=fields_for(question, title, base_url),
                tags=tags_for(question),
                guid=note_guid(question),
            )
        )
    handle, path = tempfile.mkstemp(suffix=".apkg")
    os.close(handle)
    try:
        genanki.Package(deck).write_to_file(path)
        with open(path, "rb") as package:
            return package.read()
    finally:
        os.unlink(path)
