"""Fixtures shared by the portfolio tests: the shipped reference data, a small ward, a signed-in nurse."""
from __future__ import annotations

import pytest

from tests.factories import PASSWORD, make_person, make_tree
from tracker.extensions import db


@pytest.fixture
def org(ref):
    tree = make_tree()
    manager = make_person(tree["ward7"], email="manager@example.org", tier=3, roles=["manager"],
                          scope=[tree["ward7"]], name="Wyn Wardmanager")
    nurse = make_person(tree["ward7"], email="nurse@example.org", tier=2, line_manager=manager, name="Nia Nurse")
    porter = make_person(tree["ward7"], email="porter@example.org", tier=1, line_manager=manager, name="Pat Porter")
    stranger = make_person(tree["theatres"], email="stranger@example.org", tier=2, name="Sol Stranger")
    lead = make_person(tree["trust"], email="lead@example.org", tier=3, roles=["education_lead"], name="Lee Lead")
    db.session.commit()  # a SAVEPOINT release: survives a view's rollback
    return {"tree": tree, "manager": manager, "nurse": nurse, "porter": porter, "stranger": stranger, "lead": lead}


@pytest.fixture
def uploads(app, tmp_path, monkeypatch):
    folder = tmp_path / "uploads"
    monkeypatch.setitem(app.config, "UPLOAD_FOLDER", str(folder))
    return folder


@pytest.fixture
def as_nurse(client, sign_in, org, uploads):
    sign_in("nurse@example.org", PASSWORD)
    return org["nurse"]
