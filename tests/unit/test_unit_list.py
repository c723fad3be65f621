"""The report filter's list of every unit, kept in the process until a unit changes (tracker.unit_list)."""
from __future__ import annotations

from tests.factories import make_tree, make_unit
from tracker import unit_list
from tracker.extensions import db
from tracker.organisation import rename_unit


def names() -> set[str]:
    return {name for _, name, _ in unit_list.every_unit()}


def test_the_list_follows_every_added_and_renamed_unit_and_is_read_once_between(db_session, today, count_queries):
    tree = make_tree()
    db.session.flush()
    assert {"Cancer Services", "Surgery", "Ward 7 (Oncology)"} <= names()
    with count_queries() as unchanged:
        assert {"Cancer Services", "Surgery", "Ward 7 (Oncology)"} <= names()
    assert unchanged.count == 1 and "organisation_unit" not in unchanged.statements[0]  # the token only
    make_unit("Haematology day unit", parent=tree["cancer"])
    db.session.flush()
    assert "Haematology day unit" in names()
    rename_unit(tree["surgery"], "Surgery and Theatres", today)
    db.session.flush()
    assert "Surgery and Theatres" in names() and "Surgery" not in names()
    tree["clinic"].closed_on = today  # closing leaves the unit listed (reports of earlier years name it)
    db.session.flush()
    assert "Chemotherapy Day Unit" in names()


def test_a_rolled_back_unit_is_never_listed_again(db_session):
    make_tree()
    db.session.flush()
    before = names()
    savepoint = db.session.begin_nested()
    make_unit("Never made")
    db.session.flush()
    assert "Never made" in names()  # kept under the rolled-back change's token
    savepoint.rollback()
    assert names() == before
    make_unit("Made instead")
    db.session.flush()
    assert "Made instead" in names() and "Never made" not in names()
