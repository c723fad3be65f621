"""The activity form's behaviour checkboxes, one subject at a time, rendered once and kept.

Rendering the framework's checkboxes through the NHS.UK macros was most of the form's cost
(about 45 of its 80 ms of Python, bench/page_cpu.py). A subject's checkboxes change only when
the framework's wording or the person's tier changes, so each is rendered unticked once per
process and kept under a key made of everything it shows (subject, behaviours' ids, codes and
words, which one is first, whether it is open): a framework change makes a new key, so nothing
needs invalidating. The person's ticks are then set on the kept HTML exactly where the macro
would have written them.
"""
from __future__ import annotations

from flask import render_template
from markupsafe import Markup

KEPT_LIMIT = 2000  # subjects x tiers x framework versions x open or not: far fewer in practice
_kept: dict[tuple, str] = {}


def behaviour_group(group, first_id: int | None, ticked) -> Markup:
    """The subject's details element with its checkboxes, the `ticked` behaviour ids checked."""
    key = (group.subject.id, group.subject.number, group.subject.title, bool(group.open), first_id,
           tuple((b.id, b.code, b.text) for b in group.behaviours))
    html = _kept.get(key)
    if html is None:
        html = render_template("portfolio/_behaviour_group.html", group=group, first_id=first_id, ticked=())
        if len(_kept) >= KEPT_LIMIT:
            _kept.clear()
        _kept[key] = html
    for behaviour in group.behaviours:
        if behaviour.id in ticked:
            # The checkboxes macro writes ` checked` straight after the input's value.
            unticked = f'type="checkbox" value="{behaviour.id}"\n'
            html = html.replace(unticked, f'type="checkbox" value="{behaviour.id}" checked\n', 1)
    return Markup(html)


def forget() -> None:
    """Drop every kept fragment (tests that compare a fresh rendering with a kept one)."""
    _kept.clear()
