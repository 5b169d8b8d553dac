"""Markdown rendering shared by topics and questions: code highlighting, tables, admonitions,
anchored headings. Each document is rendered once and the result kept, never per request."""

from __future__ import annotations

import functools
import html
import re
import threading
from dataclasses import dataclass, field

import markdown
from markdown.extensions.toc import TocExtension
from pygments import highlight
from pygments.formatters import HtmlFormatter
from pygments.lexers import get_lexer_by_name
from pygments.util import ClassNotFound


@dataclass(frozen=True)
class Heading:
    level: int
    anchor: str
    title: str


@dataclass(frozen=True)
class CodeBlock:
    language: str
    code: str
    attributes: dict = field(default_factory=dict)  # e.g. {"data-event": "s3-put"} from attr_list


@dataclass(frozen=True)
class Rendered:
    html: str
    headings: tuple[Heading, ...]
    code_blocks: tuple[CodeBlock, ...]


# fenced_code without codehilite emits <pre><code class="language-x">; we highlight those
# ourselves with one shared formatter and cached lexers (codehilite builds a new formatter
# for every block, which was half the rendering time).
_FENCED = re.compile(r"<pre[^>]*><code([^>]*)>(.*?)</code></pre>", re.DOTALL)
_ATTRIBUTE = re.compile(r'([\w-]+)="([^"]*)"')
_FORMATTER = HtmlFormatter(cssclass="highlight", wrapcode=True)
_local = threading.local()


@functools.cache
def _lexer(language: str):
    try:
        return get_lexer_by_name(language, stripnl=False, ensurenl=True)
    except ClassNotFound:
        return None


def _converter() -> markdown.Markdown:
    """One Markdown instance per thread, reset between documents (building one is not free)."""
    converter = getattr(_local, "converter", None)
    if converter is None:
        converter = markdown.Markdown(
            extensions=[
                "fenced_code",
                "tables",
                "admonition",
                "attr_list",
                "sane_lists",
                "def_list",
                TocExtension(
                    permalink="#",
                    permalink_class="heading-anchor",
                    permalink_title="Link to this section",
                    toc_depth="2-3",
                ),
            ],
            output_format="html",
        )
        _local.converter = converter
    return converter.reset()


def _flatten(tokens: list[dict]) -> list[Heading]:
    headings: list[Heading] = []
    for token in tokens:
        headings.append(Heading(token["level"], token["id"], html.unescape(token["name"])))
        headings.extend(_flatten(token.get("children", [])))
    return headings


def render_markdown(text: str) -> Rendered:
    converter = _converter()
    blocks: list[CodeBlock] = []

    def highlight_block(match: re.Match) -> str:
        attributes = dict(_ATTRIBUTE.findall(match.group(1)))
        classes = attributes.pop("class", "").split()
        language = next((c[len("language-") :] for c in classes if c.startswith("language-")), "").lower()
        escaped = match.group(2)
        code = html.unescape(escaped)
        index = len(blocks)
        blocks.append(CodeBlock(language, code, attributes))
        # data-block lets the page find this block again (e.g. "Run in sandbox").
        opening = f'<div class="highlight" data-block="{index}" data-lang="{html.escape(language)}">'
        lexer = _lexer(language) if language else None
        if lexer is None:
            block = f"{opening}<pre><code>{escaped}</code></pre></div>"
        else:
            block = highlight(code, lexer, _FORMATTER).replace('<div class="highlight">', opening, 1)
        # A code block that scrolls sideways must be reachable with the keyboard.
        return block.replace("<pre>", '<pre tabindex="0">', 1)

    body = _FENCED.sub(highlight_block, converter.convert(text))
    return Rendered(html=body, headings=tuple(_flatten(converter.toc_tokens)), code_blocks=tuple(blocks))
