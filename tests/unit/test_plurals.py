"""A count meets its noun in agreement: "0 people", "1 person", "2 people"."""
from __future__ import annotations

import pytest

from tracker.plurals import noun, plural


@pytest.mark.parametrize("count, words", [(0, "0 people"), (1, "1 person"), (2, "2 people"), (1200, "1,200 people")])
def test_people(count, words):
    assert plural(count, "person", "people") == words


@pytest.mark.parametrize("count, words", [(0, "0 activities"), (1, "1 activity"), (2, "2 activities")])
def test_activities(count, words):
    assert plural(count, "activity", "activities") == words


@pytest.mark.parametrize("count, words", [(0, "0 behaviours"), (1, "1 behaviour"), (2, "2 behaviours"), (None, "0 behaviours")])
def test_the_plural_defaults_to_an_s(count, words):
    assert plural(count, "behaviour") == words


def test_the_noun_alone_for_words_between():
    assert [noun(n, "activity", "activities") for n in (0, 1, 2)] == ["activities", "activity", "activities"]


def test_templates_have_plural_as_a_filter_and_a_global(app):
    with app.app_context():
        render = app.jinja_env.from_string('{{ 1 | plural("person", "people") }}; {{ plural(2, "person", "people") }}').render
        assert render() == "1 person; 2 people"
