"""`flask framework import`: the shipped file loads; bad files write nothing and say where."""
from __future__ import annotations

import copy
import json

import pytest
from sqlalchemy import func, select

from tracker.extensions import db
from tracker.framework_import import FrameworkFileError, import_framework, read_file, validate
from tracker.models import Behaviour, Framework
from tracker.reference import DEFAULT_FRAMEWORK_FILE


@pytest.fixture
def good():
    return read_file(DEFAULT_FRAMEWORK_FILE)


def _count(model):
    return db.session.scalar(select(func.count()).select_from(model))


def test_shipped_framework_is_valid_and_says_the_wording_is_ours(good):
    assert validate(good) == []
    assert "project" in good["wording_note"].lower()
    subjects = [s for d in good["domains"] for s in d["subjects"]]
    assert [s["number"] for s in subjects] == [1, 2, 3, 4, 5, 6, 7]
    assert all(3 <= len(s["behaviours"]) <= 6 for s in subjects)
    tiers = {s["number"]: {tuple(b["tiers"]) for b in s["behaviours"]} for s in subjects}
    assert tiers[1] == tiers[2] == tiers[3] == {(1, 2, 3)}
    assert tiers[4] == {(2, 3)}
    assert tiers[5] == tiers[6] == tiers[7] == {(3,)}
    assert [s["number"] for s in subjects if s.get("leadership")] == [6, 7]


def test_import_writes_everything_then_reimport_changes_nothing(db_session, good):
    result = import_framework(good)
    assert result.created and result.framework.is_current
    behaviours = _count(Behaviour)
    assert behaviours == sum(len(s["behaviours"]) for d in good["domains"] for s in d["subjects"])
    again = import_framework(copy.deepcopy(good))
    assert not again.created and again.framework.id == result.framework.id
    assert _count(Behaviour) == behaviours and _count(Framework) == 1


def test_new_version_becomes_current_and_keeps_the_old(db_session, good):
    first = import_framework(good).framework
    newer = copy.deepcopy(good)
    newer["version"] = "2027"
    second = import_framework(newer).framework
    assert second.is_current and not first.is_current
    assert _count(Framework) == 2


def _break(data, path, value=KeyError):
    node = data
    for key in path[:-1]:
        node = node[key]
    if value is KeyError:
        del node[path[-1]]
    else:
        node[path[-1]] = value
    return data


@pytest.mark.parametrize(
    "path,value,expected",
    [
        (["domains", 1, "subjects", 1, "behaviours", 0, "tiers"], KeyError, 'domains[1].subjects[1].behaviours[0]: missing "tiers"'),
        (["domains", 0, "subjects", 2, "behaviours", 1, "tiers"], [4], "domains[0].subjects[2].behaviours[1]: \"tiers\" must be a list"),
        (["domains", 0, "subjects", 0, "behaviours", 0, "text"], "", 'domains[0].subjects[0].behaviours[0]: "text" must be a non-empty string'),
        (["domains", 0, "subjects", 0, "behaviours", 1, "code"], "1.1", 'behaviour code "1.1" is used twice'),
        (["domains", 0, "subjects", 0, "number"], "one", 'domains[0].subjects[0]: "number" must be a positive whole number'),
        (["domains", 0, "subjects"], [], 'domains[0]: "subjects" must be a non-empty list'),
        (["domains", 0, "title"], KeyError, 'domains[0]: missing "title"'),
        (["version"], KeyError, '(top level): missing "version"'),
        (["domains"], "nope", '(top level): "domains" must be a non-empty list'),
        (["domains", 0, "subjects", 0, "behaviours", 0], "text", "domains[0].subjects[0].behaviours[0]: must be an object"),
    ],
)
def test_bad_files_name_the_place_and_write_nothing(db_session, good, path, value, expected):
    bad = _break(copy.deepcopy(good), path, value)
    with pytest.raises(FrameworkFileError) as excinfo:
        import_framework(bad)
    assert any(expected in error for error in excinfo.value.errors), excinfo.value.errors
    assert _count(Framework) == 0 and _count(Behaviour) == 0


def test_unreadable_and_non_json_files(tmp_path):
    with pytest.raises(FrameworkFileError, match="cannot read"):
        read_file(tmp_path / "missing.json")
    broken = tmp_path / "broken.json"
    broken.write_text("{not json")
    with pytest.raises(FrameworkFileError, match="not valid JSON at line 1"):
        read_file(broken)
    assert validate([1, 2]) == ["(top level): must be an object"]


def test_cli_import_good_bad_and_again(app, db_session, tmp_path, good):
    runner = app.test_cli_runner()
    bad = copy.deepcopy(good)
    del bad["domains"][0]["subjects"][0]["behaviours"][0]["tiers"]
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(bad))
    result = runner.invoke(args=["framework", "import", str(path)])
    assert result.exit_code == 1 and 'missing "tiers"' in result.output
    assert _count(Framework) == 0
    result = runner.invoke(args=["framework", "import", str(DEFAULT_FRAMEWORK_FILE)])
    assert result.exit_code == 0 and "Imported" in result.output
    result = runner.invoke(args=["framework", "import", str(DEFAULT_FRAMEWORK_FILE)])
    assert result.exit_code == 0 and "nothing changed" in result.output
    result = runner.invoke(args=["framework", "import", str(DEFAULT_FRAMEWORK_FILE), "--from", "next"])
    assert result.exit_code == 0 and "nothing changed" in result.output


def test_cli_asks_which_year_a_new_version_applies_from(app, db_session, tmp_path, clock):
    from datetime import date

    from tests.framework_versions import NEW_VERSION, newer_version
    from tracker.appraisal_year import AppraisalYear
    from tracker.framework_years import framework_of

    clock.move_to(date(2025, 10, 15))
    runner = app.test_cli_runner()
    assert runner.invoke(args=["framework", "import", str(DEFAULT_FRAMEWORK_FILE)]).exit_code == 0
    first = framework_of(AppraisalYear(2025))
    path = tmp_path / "newer.json"
    path.write_text(json.dumps(newer_version()))
    result = runner.invoke(args=["framework", "import", str(path)])
    assert result.exit_code == 2 and "--from current or --from next" in result.output
    assert _count(Framework) == 1
    result = runner.invoke(args=["framework", "import", str(path), "--from", "next"])
    assert result.exit_code == 0 and "It applies from 2026 to 2027" in result.output
    assert framework_of(AppraisalYear(2025)) == first and framework_of(AppraisalYear(2026)).version == NEW_VERSION
    result = runner.invoke(args=["framework", "import", str(path), "--from", "current"])
    assert result.exit_code == 0 and "already loaded. It applies from 2025 to 2026" in result.output
    assert framework_of(AppraisalYear(2025)).version == NEW_VERSION
    assert framework_of(AppraisalYear(2024)) == first  # the closed year keeps its version


def test_cli_not_current_loads_a_version_without_applying_it(app, db_session, tmp_path, good):
    from tests.framework_versions import newer_version
    from tracker.framework_import import current_framework

    runner = app.test_cli_runner()
    assert runner.invoke(args=["framework", "import", str(DEFAULT_FRAMEWORK_FILE)]).exit_code == 0
    first = current_framework()
    path = tmp_path / "newer.json"
    path.write_text(json.dumps(newer_version()))
    result = runner.invoke(args=["framework", "import", str(path), "--not-current"])
    assert result.exit_code == 0 and "Imported" in result.output and "applies" not in result.output
    assert current_framework() == first and _count(Framework) == 2
