"""The annual requirement page: education leads set this year's rule per tier and the compliance
target, see what the change would do before saving it, and see who changed what and when.

Rules and targets are stored from a year on (tracker.models.compliance), so saving this year's
leaves every earlier year as it was; a closed year cannot be changed at all.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation

from sqlalchemy import select

from tracker import audit, compliance, figures
from tracker.appraisal_year import AppraisalYear
from tracker.audit import record
from tracker.compliance import Rule, Target
from tracker.extensions import db
from tracker.figures import upkeep
from tracker.roster import Roster
from tracker.models import FROM_THE_START, TIERS, AuditEvent, ComplianceTarget, Person, RequirementRule
from tracker.refusal import Refused
from tracker.year_closing import closed_message, is_closed

CHANGED = "requirement.changed"
MAX_ACTIVITIES = 50
MAX_HOURS = Decimal(500)
MAX_BEHAVIOURS = 100

TIER_NAMES = {1: "Tier 1", 2: "Tier 2", 3: "Tier 3"}


def field_names(tier: int) -> dict[str, str]:
    """The form's field names for one tier's rule."""
    return {"activities": f"tier{tier}_activities", "hours": f"tier{tier}_hours",
            "behaviours": f"tier{tier}_behaviours", "leadership": f"tier{tier}_leadership"}


def as_form_data(rules: dict[int, Rule], target: Target) -> dict[str, object]:
    """The values the form starts with."""
    data: dict[str, object] = {"target": str(int(target)), "amber_band": str(target.amber_band)}
    for tier in TIERS:
        names, rule = field_names(tier), rules[tier]
        data[names["activities"]] = str(rule.min_experiential_activities)
        data[names["hours"]] = f"{rule.min_hours.normalize():f}"
        data[names["behaviours"]] = str(rule.min_behaviours)
        data[names["leadership"]] = rule.needs_leadership_behaviour
    return data


def _whole(raw, field: str, what: str, low: int, high: int, problems: dict) -> int:
    text = (raw or "").strip()
    if not text:
        problems[field] = f"Enter {what}"
    elif not (text.isascii() and text.isdigit()) or not low <= int(text) <= high:
        problems[field] = f"{what[0].upper()}{what[1:]} must be a whole number from {low} to {high}"
    else:
        return int(text)
    return 0


def check(raw: dict) -> tuple[dict[int, Rule], Target]:
    """The rules and target typed on the form, or Refused naming every field that is wrong."""
    problems: dict[str, str] = {}
    rules = {}
    for tier in TIERS:
        names, name = field_names(tier), TIER_NAMES[tier]
        activities = _whole(raw.get(names["activities"]), names["activities"],
                            f"the experiential activities for {name}", 0, MAX_ACTIVITIES, problems)
        behaviours = _whole(raw.get(names["behaviours"]), names["behaviours"],
                            f"the behaviours for {name}", 0, MAX_BEHAVIOURS, problems)
        hours_text = (raw.get(names["hours"]) or "").strip()
        hours = Decimal(0)
        try:
            hours = Decimal(hours_text)
            if not hours.is_finite() or hours < 0 or hours > MAX_HOURS or hours != hours.quantize(Decimal("0.01")):
                raise InvalidOperation
        except InvalidOperation:
            problems[names["hours"]] = (f"Enter the hours for {name}" if not hours_text else
                                        f"The hours for {name} must be a number from 0 to {MAX_HOURS}, "
                                        "for example 3 or 1.5")
        rules[tier] = Rule(tier=tier, min_experiential_activities=activities, min_hours=hours,
                           min_behaviours=behaviours, needs_leadership_behaviour=bool(raw.get(names["leadership"])))
    percent = _whole(raw.get("target"), "target", "the compliance target", 1, 100, problems)
    amber = _whole(raw.get("amber_band"), "amber_band", "the amber band", 0, 100, problems)
    if problems:
        raise Refused(problems)
    return rules, Target(percent, amber)


@dataclass(frozen=True)
class Preview:
    """This year's organisation figures under the rules in force and under the typed ones."""

    complete_now: int
    complete_then: int
    percent_now: float | None
    percent_then: float | None


def preview(year: AppraisalYear, rules: dict[int, Rule], today: date) -> Preview:
    everyone = Roster.of(year, today).people()
    now = figures.roll_up(figures.status_cube(everyone, year, today, compliance.load_rules(year)))
    then = figures.roll_up(figures.status_cube(everyone, year, today, rules))
    return Preview(now.counts[compliance.Status.COMPLETE], then.counts[compliance.Status.COMPLETE],
                   now.percent, then.percent)


def _rule_words(rule: Rule) -> dict:
    return {"activities": rule.min_experiential_activities, "hours": f"{rule.min_hours.normalize():f}",
            "behaviours": rule.min_behaviours, "leadership": rule.needs_leadership_behaviour}


def save(actor: Person, year: AppraisalYear, rules: dict[int, Rule], target: Target, today: date,
         default_target: int) -> bool:
    """Store the rules and target from `year` on; False when nothing changed. Earlier years keep
    theirs. Refused for a closed year."""
    if is_closed(year, today):
        raise Refused(closed_message(year))
    before_rules, before_target = compliance.load_rules(year), compliance.load_target(year, default_target)
    if before_rules == rules and (int(before_target), before_target.amber_band) == (int(target), target.amber_band):
        return False
    _keep_what_applied_before(before_rules, before_target)
    for tier, rule in rules.items():
        row = db.session.get(RequirementRule, (year.start_year, tier))
        if row is None:
            row = RequirementRule(from_year=year.start_year, tier=tier)
            db.session.add(row)
        row.min_experiential_activities = rule.min_experiential_activities
        row.min_hours = rule.min_hours
        row.min_behaviours = rule.min_behaviours
        row.needs_leadership_behaviour = rule.needs_leadership_behaviour
    values = dict(percent=int(target), amber_band=target.amber_band, updated_by_id=actor.id)
    target_row = db.session.get(ComplianceTarget, year.start_year)
    if target_row is None:  # complete before it joins the session, so no flush sees it half set
        db.session.add(ComplianceTarget(from_year=year.start_year, **values))
    else:
        for name, value in values.items():
            setattr(target_row, name, value)
    changed = {str(tier): {"from": _rule_words(before_rules[tier]), "to": _rule_words(rule)}
               for tier, rule in rules.items() if before_rules[tier] != rule}
    if changed:  # the completion months kept for this year and later ones follow the new rules
        upkeep.rebuild_later(upkeep.years_from(year.start_year))
    record(actor, CHANGED, year=year.start_year, tiers=changed,
           target={"from": [int(before_target), before_target.amber_band], "to": [int(target), target.amber_band]})
    db.session.flush()
    return True


def _keep_what_applied_before(rules: dict[int, Rule], target: Target) -> None:
    """Write down, from the start, the rules and target earlier years were measured by when they
    came from the defaults or the deployment's setting, so that a later change of either (or of
    COMPLIANCE_TARGET) cannot reach back into those years."""
    stored_tiers = set(db.session.scalars(select(RequirementRule.tier).distinct()))
    for tier, rule in rules.items():
        if tier not in stored_tiers:
            db.session.add(RequirementRule(
                from_year=FROM_THE_START, tier=tier, min_experiential_activities=rule.min_experiential_activities,
                min_hours=rule.min_hours, min_behaviours=rule.min_behaviours,
                needs_leadership_behaviour=rule.needs_leadership_behaviour))
    if db.session.scalar(select(ComplianceTarget.from_year).limit(1)) is None:
        db.session.add(ComplianceTarget(from_year=FROM_THE_START, percent=int(target), amber_band=target.amber_band))
    db.session.flush()


@dataclass(frozen=True)
class Change:
    when: object
    who: str
    year: int
    lines: list[str]


def changes(limit: int = 20) -> list[Change]:
    """The latest changes to the requirement, newest first, in words."""
    rows = db.session.execute(
        audit.events_with_actor_name()
        .where(AuditEvent.action == CHANGED).order_by(AuditEvent.id.desc()).limit(limit)
    ).all()
    result = []
    for event, name in rows:
        detail = event.detail or {}
        lines = []
        for tier, change in sorted((detail.get("tiers") or {}).items()):
            old, new = change["from"], change["to"]
            parts = [f"{label} {old[key]} to {new[key]}" for key, label in
                     (("activities", "activities"), ("hours", "hours"), ("behaviours", "behaviours"))
                     if old[key] != new[key]]
            if old["leadership"] != new["leadership"]:
                parts.append("a leadership behaviour " + ("now needed" if new["leadership"] else "no longer needed"))
            lines.append(f"Tier {tier}: " + ", ".join(parts))
        target = detail.get("target") or {}
        if target and target.get("from") != target.get("to"):
            lines.append(f"Target {target['from'][0]}% to {target['to'][0]}%, amber band "
                         f"{target['from'][1]} to {target['to'][1]} points")
        result.append(Change(event.occurred_at, name or "Unknown", detail.get("year"), lines))
    return result


def years_shown(this_year: AppraisalYear, default_target: int, count: int = 3) -> list[tuple[AppraisalYear, dict[int, Rule], Target]]:
    """This year and the ones before it, each with the rules and target it is measured by."""
    years = [this_year]
    for _ in range(count - 1):
        years.append(years[-1].previous())
    return [(year, compliance.load_rules(year), compliance.load_target(year, default_target)) for year in years]
