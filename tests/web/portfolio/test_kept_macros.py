"""The NHS.UK components are rendered once per distinct set of parameters and kept
(tracker/kept_macros.py): a change made through the app shows on the next page, a kept page reads
exactly as a fresh one, and nothing a person typed is kept."""
from __future__ import annotations

import re

from sqlalchemy import select

from tests.factories import PASSWORD
from tests.web.portfolio.builders import GIBBS, activity_form
from tracker import kept_macros
from tracker.extensions import db
from tracker.models import Behaviour, Course


def _page(response) -> str:
    """The page without what differs on every request (tokens, the session's end)."""
    html = response.get_data(as_text=True)
    html = re.sub(r'value="[^"]*"(?=[^>]*name="(csrf_token|typing_page|creation_key)")', "", html)
    html = re.sub(r'(name="(csrf_token|typing_page|creation_key)"[^>]*value=")[^"]*', r"\1", html)
    html = re.sub(r'nonce="[^"]*"', "", html)
    return re.sub(r'data-ends-by="[^"]*"', "", html)


def _course_form(title: str) -> dict:
    two_four = db.session.scalar(select(Behaviour).where(Behaviour.code == "2.4"))
    return {"title": title, "provider": "Our learning team", "format": "face-to-face", "level": "intermediate",
            "duration_hours": "3.5", "url": "https://learning.example.org/difficult-conversations",
            "experiential": "y", "description": "Role-play with actors.", "behaviours": [str(two_four.id)]}


def test_a_course_a_lead_adds_or_retires_shows_in_the_next_form(client, sign_in, post_form, org):
    sign_in("lead@example.org", PASSWORD)

    def offered() -> bool:
        return ">Difficult conversations in the ward</option>" in client.get("/activities/new").get_data(as_text=True)

    assert not offered()
    assert post_form("/hub/manage/courses/new", _course_form("Difficult conversations in the ward")).status_code == 302
    assert offered()
    course = db.session.scalar(select(Course).where(Course.title == "Difficult conversations in the ward"))
    page = f"/hub/courses/{course.id}"
    assert post_form(f"/hub/manage/courses/{course.id}/retire", token_from=page).status_code == 302
    assert not offered()


def test_kept_form_reads_exactly_as_a_fresh_one(client, as_nurse, post_form, ref):
    kept_macros.forget()
    fresh = _page(client.get("/activities/new"))
    kept = _page(client.get("/activities/new"))
    assert kept == fresh
    # A form sent back with problems: its errors and what was chosen, kept as fresh.
    sent = activity_form(ref, title="", type_id=str(ref["types"]["e_learning"].id), duration_hours="")
    kept_macros.forget()
    fresh = _page(post_form("/activities/new", sent))
    kept = _page(post_form("/activities/new", sent))
    assert kept == fresh and "There is a problem" in kept
    assert re.search(rf'value="{ref["types"]["e_learning"].id}" selected', kept)


def test_what_a_person_typed_is_never_kept(client, as_nurse, post_form, ref):
    kept_macros.forget()
    response = post_form("/activities/new", activity_form(ref, title=""))
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and GIBBS["gibbs__feelings"] in html
    kept_html = "".join(kept_macros._kept.values())
    assert kept_html  # the form's empty and reference fields were kept
    assert all(words not in kept_html for words in GIBBS.values())


def test_kept_unit_select_reads_as_the_macro_with_the_chosen_option_selected(app):
    from tracker.models import UnitKind
    from tracker.roster import UnitOfTheDay

    units = [UnitOfTheDay(7, "Acute & <emergency> medicine", UnitKind.DIRECTORATE, 1),
             UnitOfTheDay(12, "Ward 7", UnitKind.TEAM, 7), UnitOfTheDay(127, "Ward 12", UnitKind.TEAM, 7)]
    select_macro = app.jinja_env.get_template("nhsuk/components/select/macro.jinja").module.select
    params = {"id": "filter-unit", "name": "unit", "label": {"text": "Team or unit"}}

    def fresh(chosen):
        items = [{"value": "", "text": "All teams", "selected": chosen is None}]
        items += [{"value": str(u.id), "text": u.name + (" (directorate)" if u.id == 7 else ""),
                   "selected": u.id == chosen} for u in units]
        return str(select_macro(dict(params, items=items)))

    kept_macros.forget()
    for chosen in (None, 12, 127, 7, None):
        kept = str(kept_macros.kept_unit_select(select_macro, params, units, chosen, "All teams"))
        assert kept == fresh(chosen), chosen
        assert kept.count(" selected") == 1
    assert "Acute &amp; &lt;emergency&gt; medicine (directorate)" in kept

    # Units loaded afresh on each page (the ORM's hash by identity) share one kept rendering.
    class Loaded:
        def __init__(self, unit):
            self.id, self.name, self.kind = unit.id, unit.name, unit.kind

    kept_macros.forget()
    for chosen in (12, 7):
        assert str(kept_macros.kept_unit_select(select_macro, params, [Loaded(u) for u in units], chosen,
                                                "All teams")) == fresh(chosen)
    assert len(kept_macros._kept) == 1
