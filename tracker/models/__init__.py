"""All models, importable from one place (and all registered for Alembic)."""
from tracker.models.org import OrganisationUnit, UnitClosure, UnitKind, UnitListVersion
from tracker.models.people import ManagerScope, Person, PersonRole, Role, StaffGroup, TIERS
from tracker.models.framework import Behaviour, BehaviourTier, Domain, Framework, Subject, YearFramework
from tracker.models.activities import (
    Activity,
    ActivityStatus,
    ActivityType,
    Course,
    EvidenceFile,
    Exemption,
    ExemptionReason,
    ReflectionModel,
    activity_behaviour,
    course_behaviour,
)
from tracker.models.compliance import (
    DEFAULT_AMBER_BAND,
    DEFAULT_RULES,
    FROM_THE_START,
    ComplianceTarget,
    RequirementRule,
)
from tracker.models.audit import AuditEvent, AuditSubject
from tracker.models.leadership import LeadershipAction, LeadershipActionKind, Notice
from tracker.models.hub import HubSection, Resource
from tracker.models.staff_import import ImportHeading, StaffGroupTier
from tracker.models.kept import (CountedPerson, CountedTally, CountedYear, FiguresRebuild, KeptFigure, PersonYearFigures,
                                 PersonYearLine, TeamTally)
from tracker.models.history import SINCE_EVER, PersonPeriod, UnitPeriod, in_force
from tracker.models.accounts import SetPasswordLink
from tracker.models.sessions import UserSession
from tracker.models.second_factor import RecoveryCode, SecondFactor
from tracker.models.identity import PersonIdentity
from tracker.models.typed_copies import TypedCopy
from tracker.models.notifications import Notification, NotificationPreference
from tracker.models.observation import ObservationRequest, ObservationStatus, ObservedBehaviour, SeenScale
from tracker.models.prepared_exports import PreparedExport

__all__ = [
    "Activity", "ActivityStatus", "ActivityType", "AuditEvent", "AuditSubject", "Behaviour", "BehaviourTier",
    "ComplianceTarget", "Course", "DEFAULT_AMBER_BAND", "DEFAULT_RULES", "FROM_THE_START", "Domain", "EvidenceFile", "Exemption", "ExemptionReason",
    "Framework", "HubSection", "CountedPerson", "CountedTally", "CountedYear", "TeamTally", "FiguresRebuild", "KeptFigure", "PersonYearFigures", "PersonYearLine", "ImportHeading", "StaffGroupTier", "LeadershipAction", "LeadershipActionKind", "ManagerScope",
    "Notice", "Notification", "NotificationPreference", "ObservationRequest", "ObservationStatus", "ObservedBehaviour", "PreparedExport",
    "OrganisationUnit", "Person", "PersonIdentity", "PersonPeriod", "PersonRole", "RecoveryCode",
    "ReflectionModel", "RequirementRule", "Resource", "Role", "SINCE_EVER", "SecondFactor", "SeenScale",
    "SetPasswordLink", "StaffGroup", "Subject", "TIERS", "TypedCopy", "UnitClosure", "UnitKind", "UnitListVersion", "UnitPeriod",
    "UserSession", "YearFramework", "in_force",
    "activity_behaviour", "course_behaviour",
]
