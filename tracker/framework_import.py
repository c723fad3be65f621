"""Load a competence framework from a JSON file.

The whole file is checked first and nothing is written when anything is wrong; every
error names its place, e.g. `domains[1].subjects[3].behaviours[0]: missing "tiers"`.
Importing a version that is already loaded adds nothing (it may still be applied from a year).

A version applies from an appraisal year on (tracker.framework_years). Its behaviours continue
the lines of the version it replaces, the framework of that year: by code, unless a behaviour
says otherwise with "replaces": ["OLD-CODE"] (a code of that version).
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from sqlalchemy import func, select

from tracker import appraisal_year
from tracker.appraisal_year import AppraisalYear
from tracker.audit import record
from tracker.extensions import db
from tracker.framework_years import apply_from, current_framework, framework_id_in_force
from tracker.models import Behaviour, BehaviourTier, Domain, Framework, Subject, TIERS

IMPORTED = "framework.imported"
__all__ = ["FrameworkFileError", "IMPORTED", "ImportResult", "behaviours_of", "current_framework",
           "check_file", "import_framework", "lineages", "parse_text", "previous_version", "read_file", "validate"]


class FrameworkFileError(ValueError):
    def __init__(self, errors: list[str]):
        self.errors = errors
        super().__init__("; ".join(errors))


@dataclass
class ImportResult:
    framework: Framework
    created: bool
    behaviours: int
    applied: bool = False  # whether it now applies from `applies_from` (None: from the start)
    applies_from: AppraisalYear | None = None


def _text(errors, node, key, where, max_len=None, required=True):
    if key not in node:
        if required:
            errors.append(f'{where}: missing "{key}"')
        return None
    value = node[key]
    if not isinstance(value, str) or (required and not value.strip()):
        errors.append(f'{where}: "{key}" must be a non-empty string')
        return None
    if max_len and len(value) > max_len:
        errors.append(f'{where}: "{key}" is longer than {max_len} characters')
    return value


def _list(errors, node, key, where):
    value = node.get(key) if isinstance(node, dict) else None
    if key not in node:
        errors.append(f'{where}: missing "{key}"')
        return []
    if not isinstance(value, list) or not value:
        errors.append(f'{where}: "{key}" must be a non-empty list')
        return []
    return value


def behaviours_of(data) -> list[dict]:
    """The behaviours of a (valid) file, in file order."""
    return [b for d in data["domains"] for s in d["subjects"] for b in s["behaviours"]]


def _check_replaces(errors, behaviour, where, previous_codes, replaced) -> None:
    if "replaces" not in behaviour:
        return
    value = behaviour["replaces"]
    if not isinstance(value, list) or len(value) != 1 or not isinstance(value[0], str) or not value[0]:
        errors.append(f'{where}: "replaces" must be a list of one behaviour code of the previous version')
    elif previous_codes is None:
        errors.append(f'{where}: "replaces" names "{value[0]}" but there is no previous version')
    elif value[0] not in previous_codes:
        errors.append(f'{where}: "replaces" names "{value[0]}", which is not a behaviour of the previous version')
    elif value[0] in replaced:
        errors.append(f'{where}: behaviour "{value[0]}" of the previous version is replaced twice')
    else:
        replaced.add(value[0])


def validate(data, previous_codes: set[str] | None = None) -> list[str]:
    """Every problem in the file, each with its place. An empty list means the file is good.
    `previous_codes`: the behaviour codes of the version it replaces (None when there is none)."""
    errors: list[str] = []
    if not isinstance(data, dict):
        return ["(top level): must be an object"]
    _text(errors, data, "code", "(top level)", 40)
    _text(errors, data, "version", "(top level)", 40)
    _text(errors, data, "title", "(top level)")
    _text(errors, data, "short_title", "(top level)", 200)
    codes: set[str] = set()
    replaced: set[str] = set()
    numbers: set[int] = set()
    for d, domain in enumerate(_list(errors, data, "domains", "(top level)")):
        where = f"domains[{d}]"
        if not isinstance(domain, dict):
            errors.append(f"{where}: must be an object")
            continue
        _text(errors, domain, "code", where, 20)
        _text(errors, domain, "title", where, 300)
        for s, subject in enumerate(_list(errors, domain, "subjects", where)):
            swhere = f"{where}.subjects[{s}]"
            if not isinstance(subject, dict):
                errors.append(f"{swhere}: must be an object")
                continue
            number = subject.get("number")
            if "number" not in subject:
                errors.append(f'{swhere}: missing "number"')
            elif not isinstance(number, int) or isinstance(number, bool) or number < 1:
                errors.append(f'{swhere}: "number" must be a positive whole number')
            elif number in numbers:
                errors.append(f'{swhere}: subject number {number} is used twice')
            else:
                numbers.add(number)
            _text(errors, subject, "title", swhere, 300)
            if "leadership" in subject and not isinstance(subject["leadership"], bool):
                errors.append(f'{swhere}: "leadership" must be true or false')
            for b, behaviour in enumerate(_list(errors, subject, "behaviours", swhere)):
                bwhere = f"{swhere}.behaviours[{b}]"
                if not isinstance(behaviour, dict):
                    errors.append(f"{bwhere}: must be an object")
                    continue
                code = _text(errors, behaviour, "code", bwhere, 20)
                if code is not None:
                    if code in codes:
                        errors.append(f'{bwhere}: behaviour code "{code}" is used twice')
                    codes.add(code)
                _text(errors, behaviour, "text", bwhere, 2000)
                _check_replaces(errors, behaviour, bwhere, previous_codes, replaced)
                if "tiers" not in behaviour:
                    errors.append(f'{bwhere}: missing "tiers"')
                else:
                    tiers = behaviour["tiers"]
                    if (
                        not isinstance(tiers, list)
                        or not tiers
                        or any(t not in TIERS or isinstance(t, bool) for t in tiers)
                        or len(set(tiers)) != len(tiers)
                    ):
                        errors.append(f'{bwhere}: "tiers" must be a list of distinct tiers from 1, 2, 3')
    return errors


def read_file(path: str | Path) -> dict:
    try:
        raw = Path(path).read_bytes()
    except OSError as exc:
        raise FrameworkFileError([f"(file): cannot read {path}: {exc.strerror}"]) from None
    return parse_text(raw)


def parse_text(raw: bytes):
    """The JSON of a file's bytes, or FrameworkFileError saying why not."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise FrameworkFileError(["(file): not UTF-8 text"]) from None
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise FrameworkFileError([f"(file): not valid JSON at line {exc.lineno}, column {exc.colno}: {exc.msg}"]) from None


def previous_version(applies_from: AppraisalYear | None) -> Framework | None:
    """The version a file applying from `applies_from` replaces: that year's framework as it stands
    (the current year's when None)."""
    year = applies_from or appraisal_year.current_year()
    framework_id = framework_id_in_force(year.start_year)
    return db.session.get(Framework, framework_id) if framework_id is not None else None


def lineages(data: dict, previous: Framework | None) -> dict[str, int | None]:
    """Behaviour code of a (valid) file -> the line it continues in `previous` (None: a new line).
    An explicit "replaces" wins over a code that happens to be the same."""
    earlier = {} if previous is None else dict(db.session.execute(
        select(Behaviour.code, Behaviour.lineage_id).where(Behaviour.framework_id == previous.id)).all())
    behaviours = behaviours_of(data)
    claimed = {b["replaces"][0] for b in behaviours if b.get("replaces")}
    result = {}
    for b in behaviours:
        if b.get("replaces"):
            result[b["code"]] = earlier[b["replaces"][0]]
        else:
            result[b["code"]] = earlier.get(b["code"]) if b["code"] not in claimed else None
    return result


def _previous_codes(previous: Framework | None) -> set[str] | None:
    if previous is None:
        return None
    return set(db.session.scalars(select(Behaviour.code).where(Behaviour.framework_id == previous.id)))


def check_file(data, applies_from: AppraisalYear | None) -> Framework | None:
    """The version the file would replace; FrameworkFileError naming every problem of the file."""
    previous = previous_version(applies_from)
    errors = validate(data, _previous_codes(previous))
    if errors:
        raise FrameworkFileError(errors)
    return previous


def import_framework(data: dict, applies_from: AppraisalYear | None = None, *, apply: bool = True,
                     actor=None, today: date | None = None, audit: bool = True) -> ImportResult:
    """Validate then write the framework, and apply it from the year `applies_from` on (when None:
    from the start if no framework is loaded yet, else from the current year); `apply=False`
    only loads it. Audited unless `audit=False` (seeding a new installation is not an action).
    The caller commits (one transaction). Refused for a closed year."""
    today = today or appraisal_year.today()
    first = current_framework() is None
    if applies_from is None and not first:
        applies_from = appraisal_year.current_year(today)
    previous = check_file(data, applies_from)
    existing = db.session.scalar(
        select(Framework).where(Framework.code == data["code"], Framework.version == data["version"])
    )
    if existing is not None:
        count = db.session.scalar(select(func.count(Behaviour.id)).where(Behaviour.framework_id == existing.id))
        applied = apply and apply_from(existing, applies_from, actor, today)
        if applied and audit:
            record(actor, IMPORTED, framework=existing.id, version=existing.version, created=False,
                   from_year=applies_from.start_year if applies_from else 0)
        return ImportResult(existing, created=False, behaviours=count, applied=applied, applies_from=applies_from)

    framework = Framework(
        code=data["code"],
        version=data["version"],
        title=data["title"],
        short_title=data["short_title"],
        publisher=data.get("publisher", "") or "",
        source_url=data.get("source_url", "") or "",
        wording_note=data.get("wording_note", "") or "",
        is_current=False,
    )
    db.session.add(framework)
    count = 0
    for d, domain_data in enumerate(data["domains"]):
        domain = Domain(code=domain_data["code"], title=domain_data["title"], position=d)
        framework.domains.append(domain)
        for s, subject_data in enumerate(domain_data["subjects"]):
            subject = Subject(
                number=subject_data["number"],
                title=subject_data["title"],
                is_leadership=bool(subject_data.get("leadership", False)),
                position=s,
            )
            domain.subjects.append(subject)
            for b, behaviour_data in enumerate(subject_data["behaviours"]):
                behaviour = Behaviour(code=behaviour_data["code"], text=behaviour_data["text"], position=b)
                behaviour.framework = framework
                behaviour.tier_links = [BehaviourTier(tier=t) for t in sorted(behaviour_data["tiers"])]
                subject.behaviours.append(behaviour)
                count += 1
    db.session.flush()
    # A new line is named by its first behaviour's id, known only once the row is written.
    lines = lineages(data, previous)
    for behaviour in db.session.scalars(select(Behaviour).where(Behaviour.framework_id == framework.id)):
        behaviour.lineage_id = lines[behaviour.code] or behaviour.id
    db.session.flush()
    applied = apply and apply_from(framework, applies_from, actor, today)
    if audit:
        record(actor, IMPORTED, framework=framework.id, version=framework.version, created=True,
               from_year=(applies_from.start_year if applies_from else 0) if applied else None,
               replaces=previous.id if previous else None)
    return ImportResult(framework, created=True, behaviours=count, applied=applied, applies_from=applies_from)
