""""Rarely evidenced" lists and "Gap" flags agree with the coverage tables below them: the same
rule on the same figures; a list that is cut says how many more there are and links to them."""
from __future__ import annotations

import re

import pytest

from tests.factories import PASSWORD, make_person
from tracker import figures
from tracker.extensions import db
from tracker.figures.coverage import Coverage

GAP = '<strong class="nhsuk-tag nhsuk-tag--red">Gap</strong>'


@pytest.fixture
def org(known_org, clock):
    clock.move_to(known_org["day"])
    tree = known_org["tree"]
    make_person(tree["trust"], email="lead@example.org", tier=1, roles=["education_lead"])
    make_person(tree["trust"], email="boss@example.org", tier=3, roles=["manager"], scope=[tree["cancer"]])
    db.session.commit()
    return known_org


def flagged_codes(table_html: str) -> list[str]:
    """The behaviour codes of the table rows flagged as gaps."""
    rows = re.findall(r'<tr class="nhsuk-table__row app-gap-row">(.*?)</tr>', table_html, re.S)
    assert all(GAP in row for row in rows) and table_html.count(GAP) == len(rows)
    return [re.search(r'<span class="app-code">([^<]+)</span>', row).group(1) for row in rows]


def test_the_team_dashboards_list_names_the_lowest_gaps_and_counts_the_rest(client, sign_in, org):
    assert sign_in("boss@example.org", PASSWORD).status_code == 302
    html = client.get("/team/?year=2025").get_data(as_text=True)
    card, table = html.split('id="suggestions-heading"', 1)[1], html.split('id="coverage-heading"', 1)[1]
    card = card.split("</section>", 1)[0]
    flagged = flagged_codes(table.split("</table>", 1)[0])
    assert len(flagged) > figures.RARELY_EVIDENCED_SHOWN  # the fixture leaves most behaviours unevidenced
    listed = re.findall(r'<li><span class="app-code">([^<]+)</span>', card.split("Rarely evidenced this year", 1)[1])
    assert len(listed) == figures.RARELY_EVIDENCED_SHOWN and set(listed) <= set(flagged)
    more = len(flagged) - len(listed)
    assert re.search(rf'<a class="nhsuk-link" href="#coverage">and {more} more<', card)
    assert f"({len(flagged)} in all)" in card and 'id="coverage"' in html
    assert f"fewer than {figures.RARE_BEHAVIOUR_PERCENT}% evidenced: {len(flagged)} of" in table


def test_the_behaviour_gaps_page_counts_the_gaps_its_table_flags(client, sign_in, org):
    assert sign_in("lead@example.org", PASSWORD).status_code == 302
    html = client.get("/reports/behaviours?year=2025").get_data(as_text=True)
    section = html.split('id="gaps-heading"', 1)[1].split("</section>", 1)[0]
    rows = section.count('<tr class="nhsuk-table__row')
    flagged = flagged_codes(section)
    assert f"marked as gaps: {len(flagged)} of {rows}." in section and flagged


@pytest.mark.parametrize("evidenced, expected, is_gap", [(2997, 10000, False), (2994, 10000, True), (0, 0, False),
                                                         (29, 100, True), (30, 100, False)])
def test_a_list_and_a_flag_read_the_one_rule(evidenced, expected, is_gap):
    # 29.97% shows as 30% and is no gap, in the table and in the list alike.
    coverage = [Coverage(1, "1.1", "Listen", "Listening", [1], expected, evidenced)]
    assert coverage[0].is_gap is is_gap
    assert figures.rarely_evidenced(coverage).shown == ([coverage[0]] if is_gap else [])


def test_a_list_of_few_gaps_is_not_cut():
    coverage = [Coverage(i, f"1.{i}", "B", "S", [1], 10, i) for i in range(1, 9)]  # 10% to 80%
    rarely = figures.rarely_evidenced(coverage)
    assert [c.code for c in rarely.shown] == ["1.1", "1.2"] and rarely.more == 0 and rarely.total == 2
    rarely = figures.rarely_evidenced(coverage, shown=1)
    assert [c.code for c in rarely.shown] == ["1.1"] and rarely.more == 1
