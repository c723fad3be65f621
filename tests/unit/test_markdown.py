"""Guidance Markdown is rendered with raw HTML off and sanitised: nothing runs, nothing smuggles in."""
from __future__ import annotations

from html.parser import HTMLParser

import pytest

from tracker.hub.markdown import ALLOWED_TAGS, render_markdown, _sanitiser


class _Tags(HTMLParser):
    def __init__(self):
        super().__init__()
        self.tags: list[tuple[str, dict]] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))


def tags_in(html: str) -> list[tuple[str, dict]]:
    parser = _Tags()
    parser.feed(str(html))
    return parser.tags


def assert_harmless(html: str) -> None:
    for tag, attrs in tags_in(html):
        assert tag in ALLOWED_TAGS, (tag, html)
        for name, value in attrs.items():
            assert not name.startswith("on"), (name, html)
            assert name in {"href", "title", "rel", "start", "scope"}, (name, html)
            if name == "href":
                scheme = value.split(":", 1)[0].lower() if ":" in value.split("/", 1)[0] else ""
                assert scheme in ("", "http", "https", "mailto"), (value, html)


ATTACKS = [
    "<script>alert(1)</script>",
    "Hello <script src=https://evil.example/x.js></script> there",
    "<img src=x onerror=alert(1)>",
    '<a href="javascript:alert(1)">click</a>',
    '<div onclick="alert(1)">click</div>',
    "<svg onload=alert(1)></svg>",
    "<iframe src=https://evil.example></iframe>",
    "<style>body{display:none}</style>",
    "<<script>script>alert(1)<</script>/script>",
    "[click](javascript:alert(1))",
    "[click](JaVaScRiPt:alert(1))",
    "[click](  javascript:alert(1)  )",
    "[click](&#106;avascript:alert(1))",
    "[click](java%0ascript:alert(1))",
    "[click](vbscript:msgbox(1))",
    "[click](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "[click](data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+)",
    "![picture](data:image/png;base64,iVBORw0KGgo=)",
    "![picture](javascript:alert(1))",
    "<javascript:alert(1)>",
    "[click][evil]\n\n[evil]: javascript:alert(1)",
    '[click](https://example.org "title" onmouseover=alert(1))',
    "[click](https://example.org)<span onmouseover=alert(1)>x</span>",
    "```html\n<script>alert(1)</script>\n```",
    "`<img src=x onerror=alert(1)>`",
    "<!-- <script>alert(1)</script> -->",
    "<details open ontoggle=alert(1)>",
]


@pytest.mark.parametrize("text", ATTACKS)
def test_attacks_render_harmless(text):
    html = render_markdown(text)
    assert_harmless(html)
    assert "<script" not in str(html).lower()


@pytest.mark.parametrize("text", ATTACKS)
def test_no_attack_produces_a_live_script_or_handler(text):
    html = str(render_markdown(text))
    for tag, attrs in tags_in(html):
        assert tag not in {"script", "img", "iframe", "svg", "style", "div", "span", "details"}
        assert not any(name.startswith("on") for name in attrs)
        assert "javascript" not in attrs.get("href", "").lower()
        assert not attrs.get("href", "").lower().startswith(("data:", "vbscript:"))


def test_raw_html_is_shown_as_text_not_markup():
    html = str(render_markdown("Use <b>bold</b> and <script>alert(1)</script>"))
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<b>" not in html


def test_the_sanitiser_alone_strips_what_markdown_would_never_produce():
    # Defence in depth: if the parser were misconfigured, nh3 still cleans the HTML.
    dirty = ('<p onclick="x">hi</p><script>alert(1)</script><a href="javascript:alert(1)">a</a>'
             '<a href="data:text/html,x">b</a><img src=x onerror=y><iframe src="https://x.example"></iframe>')
    clean = _sanitiser.clean(dirty)
    assert_harmless(clean)
    assert "alert(1)" not in clean.replace("javascript", "")  # the script's content goes with it
    assert "<p>hi</p>" in clean


def test_ordinary_markdown_renders_as_expected():
    html = str(render_markdown(
        "# Title\n\n## Why it matters\n\nSome *emphasis* and **bold**.\n\n- one\n- two\n\n"
        "1. first\n2. second\n\n> quoted\n\n[NHS](https://www.nhs.uk/) and [catalogue](/hub/courses)"
    ))
    assert "<h2>Title</h2>" in html  # the page's own <h1> stays the only one
    assert "<h2>Why it matters</h2>" in html
    assert "<em>emphasis</em>" in html and "<strong>bold</strong>" in html
    assert "<ul>" in html and "<ol>" in html and "<blockquote>" in html
    assert '<a href="https://www.nhs.uk/" rel="noopener noreferrer">NHS</a>' in html
    assert '<a href="/hub/courses" rel="noopener noreferrer">catalogue</a>' in html


def test_empty_text_renders_empty():
    assert str(render_markdown("")) == ""
    assert str(render_markdown(None)) == ""
