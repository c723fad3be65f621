"""Load a competence framework from a JSON file.

The whole file is checked first and nothing is written when anything is wrong; every
error names its place, e.g. `domains[1].subjects[3].behaviours[0]: missing "tiers"`.
Importing a version that is already loaded changes nothing.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import func, select, update

from tracker.extensions import db
from tracker.models import Behaviour, BehaviourTier, Domain, Framework, Subject, TIERS


class FrameworkFileError(ValueError):
    def __init__(self, errors: list[str]):
        self.errors = errors
        super().__init__("; ".join(errors))


@dataclass
class ImportResult:
    framework: Framework
    created: bool
    behaviours: int


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


def validate(data) -> list[str]:
    """Every problem in the file, each with its place. An empty list means the file is good."""
    errors: list[str] = []
    if not isinstance(data, dict):
        return ["(top level): must be an object"]
    _text(errors, data, "code", "(top level)", 40)
    _text(errors, data, "version", "(top level)", 40)
    _text(errors, data, "title", "(top level)")
    _text(errors, data, "short_title", "(top level)", 200)
    codes: set[str] = set()
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
        text = Path(path).read_text(encoding="utf-8")
    except OSError as exc:
        raise FrameworkFileError([f"(file): cannot read {path}: {exc.strerror}"]) from None
    except UnicodeDecodeError:
        raise FrameworkFileError(["(file): not UTF-8 text"]) from None
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise FrameworkFileError([f"(file): not valid JSON at line {exc.lineno}, column {exc.colno}: {exc.msg}"]) from None


def import_framework(data: dict, make_current: bool = True) -> ImportResult:
    """Validate then write the framework. The caller commits (one transaction)."""
    errors = validate(data)
    if errors:
        raise FrameworkFileError(errors)
    existing = db.session.scalar(
        select(Framework).where(Framework.code == data["code"], Framework.version == data["version"])
    )
    if existing is not None:
        count = db.session.scalar(select(func.count(Behaviour.id)).where(Behaviour.framework_id == existing.id))
        return ImportResult(existing, created=False, behaviours=count)

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
    if make_current:
        db.session.execute(update(Framework).where(Framework.id != framework.id).values(is_current=False))
        framework.is_current = True
    return ImportResult(framework, created=True, behaviours=count)


def current_framework() -> Framework | None:
    return db.session.scalar(select(Framework).where(Framework.is_current.is_(True)))
