"""The activity form's behaviour checkboxes are rendered once and kept: what a person sees is
still the framework as it is now, with their own ticks."""
from __future__ import annotations

import re

from tracker.extensions import db
from tracker.portfolio import behaviour_fragments


def _checkboxes(html: str) -> str:
    """The behaviours fieldset, without the tokens that differ on every request."""
    start = html.index('<legend class="nhsuk-fieldset__legend nhsuk-fieldset__legend--s">Which behaviours')
    return html[start:html.index("</fieldset>", start)]


def test_a_framework_change_shows_in_the_form_at_once(client, as_nurse, ref):
    behaviour = ref["b"]["2.1"]
    old_words = behaviour.text
    assert old_words in client.get("/activities/new").get_data(as_text=True)
    behaviour.text = "Checks what the patient already knows before explaining anything new"
    db.session.commit()
    html = client.get("/activities/new").get_data(as_text=True)
    assert "Checks what the patient already knows before explaining anything new" in html
    assert old_words not in html


def test_kept_checkboxes_read_exactly_as_freshly_rendered_ones_with_each_persons_ticks(client, as_nurse, ref):
    ticked_url = "/activities/new?behaviours=2.1,2.3&subjects=4"
    behaviour_fragments.forget()
    fresh_plain = _checkboxes(client.get("/activities/new").get_data(as_text=True))
    behaviour_fragments.forget()
    fresh_ticked = _checkboxes(client.get(ticked_url).get_data(as_text=True))
    # Now both come from what the other requests kept.
    kept_plain = _checkboxes(client.get("/activities/new").get_data(as_text=True))
    kept_ticked = _checkboxes(client.get(ticked_url).get_data(as_text=True))
    assert kept_plain == fresh_plain and kept_ticked == fresh_ticked
    assert re.search(rf'value="{ref["b"]["2.1"].id}" checked', kept_ticked)
    assert not re.search(rf'value="{ref["b"]["2.1"].id}" checked', kept_plain)
    assert not re.search(rf'value="{ref["b"]["2.2"].id}" checked', kept_ticked)
