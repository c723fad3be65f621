"""Guidance text is Markdown written by education leads; it is rendered safely.

Two locks, so that one mistake is not enough: markdown-it's `js-default` preset turns raw
HTML off (it is shown as text) and refuses `javascript:`-style link targets, then nh3
sanitises the output against a short allow-list of tags, attributes and URL schemes.
"""
from __future__ import annotations

import re

import nh3
from markdown_it import MarkdownIt
from markupsafe import Markup

ALLOWED_TAGS = {
    "p", "br", "hr", "h2", "h3", "h4", "ul", "ol", "li", "strong", "em", "code", "pre",
    "blockquote", "a", "table", "thead", "tbody", "tr", "th", "td",
}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "ol": {"start"}, "th": {"scope"}}
URL_SCHEMES = {"http", "https", "mailto"}

_parser = MarkdownIt("js-default").enable("table")
# Pictures in guidance would invite images of text and third-party tracking; links will do.
_parser.disable("image")

def _plain_href(tag: str, attribute: str, value: str) -> str | None:
    # nh3 treats "java%0ascript:..." as a relative path; refuse any colon before the first
    # "/", "?" or "#" unless it ends an allowed scheme, so nothing scheme-like slips through.
    if attribute != "href":
        return value
    head = re.split(r"[/?#]", value, maxsplit=1)[0]
    if ":" in head and head.split(":", 1)[0].lower() not in URL_SCHEMES:
        return None
    return value


_sanitiser = nh3.Cleaner(
    tags=ALLOWED_TAGS,
    clean_content_tags={"script", "style"},
    attributes=ALLOWED_ATTRIBUTES,
    url_schemes=URL_SCHEMES,
    attribute_filter=_plain_href,
    link_rel="noopener noreferrer",
    strip_comments=True,
)


def _demote_top_headings(tokens) -> None:
    # The page already has its <h1>; a "# Heading" in the text becomes an <h2>.
    for token in tokens:
        if token.type in ("heading_open", "heading_close") and token.tag == "h1":
            token.tag = "h2"


def render_markdown(text: str | None) -> Markup:
    """Markdown -> sanitised HTML, safe to put straight into a template."""
    tokens = _parser.parse(text or "")
    _demote_top_headings(tokens)
    html = _parser.renderer.render(tokens, _parser.options, {})
    return Markup(_sanitiser.clean(html))
