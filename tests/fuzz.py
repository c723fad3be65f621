"""What the input fuzz (tests/web/test_input_fuzz.py) sends, and to where.

The routes come from the app's url_map, so a new route is fuzzed without anyone listing it; a
path parameter is filled from REAL_VALUES by its name, and a route with a parameter this file
cannot fill fails the test. Query parameter names are read from the application's source (every
`args.get("...")`) and from the forms of the pages; form fields from the forms that post to the
route (with their real options, so that a nasty value in one field meets real ones in the others).

Budget: the Hypothesis settings profile "ci" (derandomised, a few examples per route and person)
unless FUZZ_PROFILE=deep asks for many more (see the README, "Input and headers").
"""
from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from werkzeug.routing import AnyConverter, IntegerConverter, PathConverter, UnicodeConverter

TRACKER_SOURCE = Path(__file__).resolve().parent.parent / "tracker"

_COMMON = dict(deadline=None, database=None, print_blob=True,
               suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                      HealthCheck.function_scoped_fixture, HealthCheck.filter_too_much])
settings.register_profile("fuzz-ci", derandomize=True, max_examples=4, **_COMMON)
settings.register_profile("fuzz-deep", derandomize=False, max_examples=150, **_COMMON)


def fuzz_settings() -> settings:
    """FUZZ_PROFILE=deep for the long run; the fixed, derandomised CI budget otherwise."""
    return settings.get_profile("fuzz-deep" if deep() else "fuzz-ci")


def deep() -> bool:
    return os.environ.get("FUZZ_PROFILE") == "deep"


LONG = "x" * 100_000
# The first SWEPT of these go in every field of every route, once each; Hypothesis mixes in the rest.
NASTY_TEXT = [
    "\x00", LONG, str(2**64 + 1), "-" + str(2**63 + 1), "9999999999", "/\r\nSet-Cookie: stolen=1",
    "é\u202e\U0001f600\ufeff", "²", "",
    "a\x00b", "1" + "0" * 30, "0", "-1", "1e309", "NaN", "31", "9999", "10000", "0000", "2026-02-30",
    "30/02/2026", "//evil.example", "https://evil.example/", "/\t/evil.example", "<script>alert(1)</script>",
    "' OR 1=1 --", "%00", "\ud7ff\uffff", " ",
]
SWEPT = 9


def swept() -> list[str]:
    """The values that go in every field at once: all of them in the deep run."""
    return NASTY_TEXT if deep() else NASTY_TEXT[:SWEPT]
# Path ids beyond any column, 64 bits and beyond, and nothing at all.
NASTY_IDS = [0, 2**31, 2**63 - 1, 2**63, 2**64 + 1, 10**30]


def nasty_values(options: list[str]) -> st.SearchStrategy[str]:
    """One value for a field: a named nasty, arbitrary unicode or number, or a real option."""
    choices = [st.sampled_from(NASTY_TEXT), st.text(max_size=40),
               st.integers(min_value=-(2**70), max_value=2**70).map(str)]
    if options:
        choices.insert(0, st.sampled_from(options))
    return st.one_of(*choices)


def field_values(options: list[str]) -> st.SearchStrategy[list[str]]:
    """The values sent under one name: mostly one, sometimes the name repeated (an array)."""
    return st.lists(nasty_values(options), min_size=1, max_size=3)


# --- where to send it ----------------------------------------------------------------------------

@dataclass
class Target:
    endpoint: str
    method: str
    rule: object  # werkzeug Rule

    @property
    def name(self) -> str:
        return f"{self.method} {self.rule.rule}"


def targets(app) -> list[Target]:
    found = []
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: (r.rule, r.endpoint)):
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            found.append(Target(rule.endpoint, method, rule))
    return found


class UnfillableRoute(AssertionError):
    pass


def path_choices(rule, real_values: dict[str, list]) -> dict[str, st.SearchStrategy]:
    """For each path parameter: its real values and the nasty ones its converter lets through."""
    choices = {}
    for name, converter in rule._converters.items():
        if isinstance(converter, AnyConverter):
            # Only the listed words reach the view; anything else is the router's 404.
            words = sorted(re.findall(r"[\w-]+", converter.regex.replace("(?:", "").replace(")", "")))
            choices[name] = st.sampled_from([w for w in words if w])
            continue
        if name not in real_values:
            raise UnfillableRoute(f"{rule.rule}: no real value for <{name}>; add it to REAL_VALUES")
        real = real_values[name]
        if isinstance(converter, IntegerConverter):
            choices[name] = st.one_of(st.sampled_from(real), st.sampled_from(NASTY_IDS),
                                      st.integers(min_value=0, max_value=2**80))
        elif isinstance(converter, (PathConverter, UnicodeConverter)):
            choices[name] = st.one_of(st.sampled_from(real), st.sampled_from(NASTY_TEXT),
                                      st.text(min_size=1, max_size=30))
        else:
            raise UnfillableRoute(f"{rule.rule}: no strategy for the converter of <{name}>")
    return choices


def build_path(rule, values: dict) -> str:
    """The address with `values` put in, percent-encoded (url_for would refuse a nasty one)."""
    from urllib.parse import quote

    def put(match):
        name = match.group(1)
        value = str(values[name])
        return quote(value, safe="/") if isinstance(rule._converters[name], PathConverter) else quote(value, safe="")

    return re.sub(r"<(?:[^:>]+:)?([^>]+)>", put, rule.rule)


# --- what to send -----------------------------------------------------------------------------

def query_names_in_source() -> set[str]:
    """Every name the application reads from a query string or a posted form, by hand."""
    names = set()
    pattern = re.compile(r"""\b(?:args|form|values)\.get(?:list)?\(\s*(?:f?["'])([\w-]+)["']""")
    for path in TRACKER_SOURCE.rglob("*.py"):
        names.update(pattern.findall(path.read_text(encoding="utf-8")))
    return names


@dataclass
class Form:
    action: str
    method: str
    fields: dict[str, list[str]] = field(default_factory=dict)  # name -> real options seen


class _FormReader(HTMLParser):
    def __init__(self, page_url: str):
        super().__init__(convert_charrefs=True)
        self.page_url = page_url.split("?")[0]
        self.forms: list[Form] = []
        self.links: set[str] = set()
        self._select: str | None = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form":
            self.forms.append(Form((a.get("action") or self.page_url).split("?")[0].split("#")[0],
                                   (a.get("method") or "get").upper()))
        elif tag == "a" and "?" in (a.get("href") or ""):
            self.links.update(re.findall(r"[?&]([\w-]+)=", a["href"]))
        elif self.forms and tag in ("input", "select", "textarea", "button") and a.get("name"):
            if a["name"] == "csrf_token":
                return
            options = self.forms[-1].fields.setdefault(a["name"], [])
            if tag == "select":
                self._select = a["name"]
            elif a.get("value") is not None:
                options.append(a["value"])
        elif tag == "option" and self.forms and self._select and a.get("value") is not None:
            self.forms[-1].fields[self._select].append(a["value"])

    def handle_endtag(self, tag):
        if tag == "select":
            self._select = None


def read_forms(page_url: str, html: str) -> tuple[list[Form], set[str]]:
    """The forms on a page and the query names its links use."""
    reader = _FormReader(page_url)
    reader.feed(html)
    return reader.forms, reader.links
