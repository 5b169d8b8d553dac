"""Markdown rendering shared by topics and questions: code highlighting, tables, admonitions,
anchored headings. Rendered once at load time, never per request."""

from __future__ import annotations

from dataclasses import dataclass

import markdown
from markdown.extensions.codehilite import CodeHiliteExtension
from markdown.extensions.toc import TocExtension


@dataclass(frozen=True)
class Heading:
    level: int
    anchor: str
    title: str


@dataclass(frozen=True)
class Rendered:
    html: str
    headings: tuple[Heading, ...]


def _converter() -> markdown.Markdown:
    return markdown.Markdown(
        extensions=[
            "fenced_code",
            "tables",
            "admonition",
            "attr_list",
            "sane_lists",
            "def_list",
            CodeHiliteExtension(css_class="highlight", guess_lang=False, linenums=False),
            TocExtension(
                permalink="#",
                permalink_class="heading-anchor",
                permalink_title="Link to this section",
                toc_depth="2-3",
            ),
        ],
        output_format="html",
    )


def _flatten(tokens: list[dict]) -> list[Heading]:
    headings: list[Heading] = []
    for token in tokens:
        headings.append(Heading(token["level"], token["id"], token["name"]))
        headings.extend(_flatten(token.get("children", [])))
    return headings


def render_markdown(text: str) -> Rendered:
    converter = _converter()
    html = converter.convert(text)
    return Rendered(html=html, headings=tuple(_flatten(converter.toc_tokens)))
