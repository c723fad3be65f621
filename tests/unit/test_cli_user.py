"""`flask user create` prompts for the password and refuses duplicates."""
from __future__ import annotations

import logging

import pytest

from sqlalchemy import select
from werkzeug.security import check_password_hash

from tests.factories import make_tree
from tracker.extensions import db
from tracker.models import AuditEvent, Person, Role


def test_user_create_prompts_and_hashes(app, db_session, caplog):
    make_tree()
    caplog.set_level(logging.DEBUG)
    runner = app.test_cli_runner()
    result = runner.invoke(
        args=["user", "create", "--email", "New.Person@Example.org", "--name", "New Person",
              "--team", "Ward 7 (Oncology)", "--tier", "2", "--role", "manager"],
        input="a-long-enough-password\na-long-enough-password\n",
    )
    assert result.exit_code == 0, result.output
    person = db.session.scalar(select(Person).where(Person.email == "new.person@example.org"))
    assert person is not None and person.roles == {Role.MANAGER}
    assert check_password_hash(person.password_hash, "a-long-enough-password")
    # Nowhere in what the command wrote (the terminal's stdout and stderr) nor in any log record.
    for stream in (result.output, result.stdout, result.stderr, caplog.text):
        assert "a-long-enough-password" not in stream
    assert "a-long-enough-password" not in str(db.session.scalars(select(AuditEvent.detail)).all())
    assert "Created New Person <new.person@example.org>." in result.stdout


def test_user_create_refuses_duplicate_email_and_short_password(app, db_session):
    make_tree()
    runner = app.test_cli_runner()
    args = ["user", "create", "--email", "dup@example.org", "--name", "A", "--team", "Ward 7 (Oncology)"]
    assert runner.invoke(args=args, input="a-long-enough-password\na-long-enough-password\n").exit_code == 0
    again = runner.invoke(args=args, input="a-long-enough-password\na-long-enough-password\n")
    assert again.exit_code != 0 and "already exists" in again.output
    short = runner.invoke(args=["user", "create", "--email", "s@example.org", "--name", "S", "--team", "Ward 7 (Oncology)"],
                          input="short\nshort\n")
    assert short.exit_code != 0 and "at least 12 characters" in short.output
    assert db.session.scalar(select(Person).where(Person.email == "s@example.org")) is None


def test_user_create_unknown_team(app, db_session):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["user", "create", "--email", "x@example.org", "--name", "X", "--team", "Nowhere"],
                           input="a-long-enough-password\na-long-enough-password\n")
    assert result.exit_code != 0 and "No organisation unit" in result.output


def test_user_create_applies_the_password_rules_and_checks_the_email(app, db_session):
    make_tree()
    db.session.commit()  # the refusals roll back; the teams must outlive them
    runner = app.test_cli_runner()
    demo = runner.invoke(args=["user", "create", "--email", "d@example.org", "--name", "D", "--team", "Ward 7 (Oncology)"],
                         input="demo-pass-2026\ndemo-pass-2026\n")
    assert demo.exit_code != 0 and "most commonly used" in demo.output
    bad = runner.invoke(args=["user", "create", "--email", "not an address", "--name", "B", "--team", "Ward 7 (Oncology)"],
                        input="a-long-enough-password\na-long-enough-password\n")
    assert bad.exit_code != 0 and "correct format" in bad.output
    assert db.session.scalars(select(Person).where(Person.name.in_(["D", "B"]))).all() == []


def create(runner, email: str, password: str):
    return runner.invoke(args=["user", "create", "--email", email, "--name", "Nia Nurse", "--team", "Ward 7 (Oncology)"],
                         input=f"{password}\n{password}\n")


def test_user_create_takes_a_password_of_100_characters_that_then_signs_in(app, db_session, client, sign_in):
    """ASVS 6.2.9: 100 characters, with spaces and letters beyond ASCII, set at the prompt."""
    long = "Siân’s ward round at seven, handover at half past, then tea with José in the café 🙂 plum orchard day"
    make_tree()
    db.session.commit()
    assert create(app.test_cli_runner(), "long@example.org", long).exit_code == 0
    person = db.session.scalar(select(Person).where(Person.email == "long@example.org"))
    assert len(long) == 100 and check_password_hash(person.password_hash, long)
    assert not check_password_hash(person.password_hash, long[:72])
    assert sign_in("long@example.org", long).status_code == 302
    assert client.get("/portfolio").status_code == 200


@pytest.mark.parametrize("common", ["qwertyqwerty", "passwordpassword", "Supernatural", "zaq12wsxcde3"])
def test_user_create_refuses_long_but_common_passwords(app, db_session, common):
    make_tree()
    db.session.commit()
    result = create(app.test_cli_runner(), "common@example.org", common)
    assert result.exit_code != 0 and "most commonly used" in result.output
    assert db.session.scalar(select(Person).where(Person.email == "common@example.org")) is None
