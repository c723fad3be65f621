"""What a framework file would change, compared with the version it replaces: the behaviours it
adds, changes (code, text, subject, tiers) and removes, matched as an import matches them."""
from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import select

from tracker.extensions import db
from tracker.framework_import import lineages
from tracker.models import Behaviour, BehaviourTier, Framework, Subject


@dataclass(frozen=True)
class Listed:
    code: str
    text: str


@dataclass(frozen=True)
class Changed:
    code: str
    old_code: str
    text: str
    what: list[str]  # in words: "code 1.1 to 1.9", "text", "subject", "tiers 1, 2 to 2"


@dataclass
class VersionChanges:
    previous: Framework | None
    added: list[Listed] = field(default_factory=list)
    changed: list[Changed] = field(default_factory=list)
    removed: list[Listed] = field(default_factory=list)
    unchanged: int = 0

    @property
    def any(self) -> bool:
        return bool(self.added or self.changed or self.removed)


def _tiers_text(tiers) -> str:
    return ", ".join(str(t) for t in sorted(tiers))


def _previous_behaviours(previous: Framework) -> dict[int, dict]:
    """lineage id -> code, text, subject (number, title), tiers of the previous version's behaviours."""
    tiers: dict[int, list[int]] = {}
    for behaviour_id, tier in db.session.execute(
        select(BehaviourTier.behaviour_id, BehaviourTier.tier)
        .join(Behaviour, Behaviour.id == BehaviourTier.behaviour_id)
        .where(Behaviour.framework_id == previous.id)
    ):
        tiers.setdefault(behaviour_id, []).append(tier)
    rows = db.session.execute(
        select(Behaviour.id, Behaviour.lineage_id, Behaviour.code, Behaviour.text, Subject.number, Subject.title)
        .join(Subject, Subject.id == Behaviour.subject_id)
        .where(Behaviour.framework_id == previous.id).order_by(Subject.number, Behaviour.position)
    )
    return {row.lineage_id: dict(code=row.code, text=row.text, subject=(row.number, row.title),
                                 tiers=sorted(tiers.get(row.id, []))) for row in rows}


def compare(data: dict, previous: Framework | None) -> VersionChanges:
    """The changes of a valid file against `previous` (every behaviour is added when None)."""
    changes = VersionChanges(previous)
    before = _previous_behaviours(previous) if previous is not None else {}
    lines = lineages(data, previous)
    carried = set()
    for domain in data["domains"]:
        for subject in domain["subjects"]:
            for behaviour in subject["behaviours"]:
                line = lines[behaviour["code"]]
                old = before.get(line) if line is not None else None
                if old is None:
                    changes.added.append(Listed(behaviour["code"], behaviour["text"]))
                    continue
                carried.add(line)
                what = []
                if old["code"] != behaviour["code"]:
                    what.append(f"code {old['code']} to {behaviour['code']}")
                if old["text"] != behaviour["text"]:
                    what.append("text")
                if old["subject"] != (subject["number"], subject["title"]):
                    what.append("subject")
                if old["tiers"] != sorted(behaviour["tiers"]):
                    what.append(f"tiers {_tiers_text(old['tiers'])} to {_tiers_text(behaviour['tiers'])}")
                if what:
                    changes.changed.append(Changed(behaviour["code"], old["code"], behaviour["text"], what))
                else:
                    changes.unchanged += 1
    changes.removed = [Listed(old["code"], old["text"]) for line, old in before.items() if line not in carried]
    return changes
