"""The demo trust's shape: its directorates and teams, sites, executives, and the accounts to try.

Pure data, made up. A directorate lists its own teams; larger trusts get more of the same
(numbered wards, the same service at another site), made by `organisation.team_names`.
"""
from __future__ import annotations

from dataclasses import dataclass

from tracker.models import StaffGroup

from .workforce import AC, AHP, EA, MD, NM

TRUST_NAME = "Northfield Hospitals NHS Foundation Trust"
DEMO_PASSWORD = "demo-pass-2026"

# The accounts printed after a load, in the order people would try them.
DEMO_ACCOUNTS = (
    ("staff@example.org", "Staff member, Ward 7 (Oncology)"),
    ("manager@example.org", "Ward manager, Ward 7 (Oncology)"),
    ("director@example.org", "Senior manager, Cancer Services"),
    ("lead@example.org", "Education lead"),
    ("admin@example.org", "Admin"),
)


@dataclass(frozen=True)
class Group:
    """A list of teams with a generator for more: numbered wards, then the same team at another site."""

    teams: tuple[tuple[str, str], ...]
    ward_profile: str | None = None
    ward_specialties: tuple[str, ...] = ()


@dataclass(frozen=True)
class Directorate:
    name: str
    weight: float
    min_teams: int
    senior: tuple[StaffGroup, str]
    groups: tuple[Group, ...] = ()
    care_groups: tuple[tuple[str, float, Group], ...] = ()


SITES = ("St Aidan's Hospital", "Riverside Community Hospital", "Moorgate Treatment Centre", "Northfield General Hospital")

DIRECTORATES: tuple[Directorate, ...] = (
    Directorate("Cancer Services", 0.10, 3, (NM, "Head of nursing, Cancer Services"), groups=(Group((
        ("Ward 7 (Oncology)", "ward_oncology"), ("Chemotherapy Day Unit", "oncology_day_unit"),
        ("Acute Oncology Service", "cancer_specialist"), ("Radiotherapy", "radiotherapy"),
        ("Ward 8 (Haematology)", "ward_oncology"), ("Specialist Palliative Care Team", "cancer_specialist"),
        ("Cancer Clinical Nurse Specialists", "cancer_specialist"),
        ("Macmillan Information and Support Centre", "cancer_support"), ("Cancer MDT Coordination", "mdt_office"),
        ("Oncology Outpatients", "clinic"), ("Haematology Day Unit", "oncology_day_unit"),
        ("Radiotherapy Physics", "medical_physics"), ("Psychological Support Service", "psychology"),
        ("Breast Care Nurses", "cancer_specialist"), ("Teenage and Young Adult Cancer Service", "cancer_specialist"),
    ), "ward_oncology", ("Oncology", "Haematology", "Clinical Oncology")),)),
    Directorate("Medicine", 0.20, 1, (NM, "Head of nursing, Medicine"), groups=(Group((
        ("Emergency Department", "emergency"), ("Acute Medical Unit", "ward_medical"),
        ("Ward 10 (Respiratory)", "ward_medical"), ("Medical Outpatients", "clinic"),
        ("Ward 11 (Care of the Elderly)", "ward_medical"), ("Ward 12 (Stroke)", "ward_medical"),
        ("Coronary Care Unit", "critical_care"), ("Endoscopy Unit", "clinic"), ("Renal Unit", "ward_medical"),
        ("Ward 14 (Gastroenterology)", "ward_medical"), ("Diabetes and Endocrinology", "clinic"),
        ("Frailty Assessment Unit", "ward_medical"), ("Ward 15 (Cardiology)", "ward_medical"),
        ("Ambulatory Care Unit", "clinic"), ("Discharge Lounge", "ward_medical"),
        ("Ward 16 (Infectious Diseases)", "ward_medical"), ("Dermatology Outpatients", "clinic"),
        ("Rheumatology", "clinic"),
    ), "ward_medical", ("Respiratory", "Care of the Elderly", "General Medicine", "Cardiology",
                        "Gastroenterology", "Stroke Rehabilitation", "Acute Medicine", "Renal")),)),
    Directorate("Surgery", 0.18, 3, (AC, "General manager, Surgery"), care_groups=(
        ("Surgical Specialties", 0.45, Group((
            ("Ward 20 (General Surgery)", "ward_surgical"), ("Surgical Assessment Unit", "ward_surgical"),
            ("Ward 21 (Urology)", "ward_surgical"), ("Day Surgery Unit", "clinic"),
            ("Pre-operative Assessment Clinic", "clinic"), ("Ophthalmology Outpatients", "clinic"),
            ("Ward 22 (ENT and Maxillofacial)", "ward_surgical"), ("Colorectal Nurse Specialists", "cancer_specialist"),
            ("Ward 23 (Vascular)", "ward_surgical"),
        ), "ward_surgical", ("General Surgery", "Urology", "Colorectal Surgery", "Upper GI Surgery", "Vascular"))),
        ("Theatres, Anaesthetics and Critical Care", 0.30, Group((
            ("Main Theatres", "theatre"), ("Intensive Care Unit", "critical_care"), ("Anaesthetics", "theatre"),
            ("Sterile Services", "sterile"), ("Day Surgery Theatres", "theatre"), ("High Dependency Unit", "critical_care"),
            ("Post-anaesthesia Recovery", "critical_care"), ("Critical Care Outreach", "critical_care"),
        ))),
        ("Trauma and Orthopaedics", 0.25, Group((
            ("Ward 24 (Trauma)", "ward_surgical"), ("Fracture Clinic", "clinic"),
            ("Ward 25 (Elective Orthopaedics)", "ward_surgical"), ("Orthopaedic Outpatients", "clinic"),
            ("Orthopaedic Therapy", "therapy"), ("Hip Fracture Unit", "ward_surgical"),
        ), "ward_surgical", ("Trauma", "Elective Orthopaedics"))),
    )),
    Directorate("Women's and Children's", 0.10, 1, (NM, "Head of midwifery"), groups=(Group((
        ("Delivery Suite", "maternity"), ("Neonatal Unit", "neonatal"), ("Children's Ward", "paediatric"),
        ("Antenatal Clinic", "maternity"), ("Postnatal Ward", "maternity"), ("Community Midwifery", "maternity"),
        ("Gynaecology Ward", "ward_surgical"), ("Paediatric Outpatients", "clinic"), ("Early Pregnancy Unit", "maternity"),
        ("Children's Community Nursing", "paediatric"), ("Birth Centre", "maternity"),
    )),)),
    Directorate("Clinical Support Services", 0.14, 1, (AHP, "Associate director, Clinical Support Services"),
                groups=(Group((
        ("Pathology (Blood Sciences)", "lab"), ("Pharmacy", "pharmacy"), ("Radiology", "imaging"),
        ("Physiotherapy", "therapy"), ("Cardiac Physiology", "physiology"), ("Occupational Therapy", "therapy"),
        ("Microbiology", "lab"), ("Phlebotomy", "phlebotomy"), ("Speech and Language Therapy", "therapy"),
        ("Nutrition and Dietetics", "therapy"), ("Histopathology", "lab"), ("MRI and CT", "imaging"),
        ("Audiology", "physiology"), ("Aseptic Pharmacy Unit", "pharmacy"),
        ("Mortuary and Bereavement Services", "mortuary"), ("Medical Physics", "medical_physics"),
        ("Breast Screening", "imaging"),
    )),)),
    Directorate("Community Services", 0.12, 1, (NM, "Head of community nursing"), groups=(Group((
        ("District Nursing (North)", "community_nursing"), ("Community Rehabilitation", "therapy"),
        ("District Nursing (South)", "community_nursing"), ("Podiatry", "podiatry"),
        ("Intermediate Care", "community_nursing"), ("Community Respiratory Team", "community_nursing"),
        ("Sexual Health Clinic", "clinic"), ("Hospice at Home", "cancer_specialist"),
        ("District Nursing (East)", "community_nursing"), ("District Nursing (West)", "community_nursing"),
        ("Community Children's Therapy", "therapy"), ("Wheelchair Service", "therapy"),
        ("Heart Failure Nurses", "community_nursing"), ("Tissue Viability", "community_nursing"),
        ("Continence Service", "community_nursing"),
    )),)),
    Directorate("Corporate Services", 0.08, 2, (AC, "Director of corporate services"), groups=(Group((
        ("Learning and Development", "learning"), ("Information Technology", "it"), ("Medical Records", "records"),
        ("Patient Advice and Liaison Service", "pals"), ("Human Resources", "hr"), ("Finance", "finance"),
        ("Switchboard", "switchboard"), ("Outpatient Booking Centre", "booking"), ("Clinical Coding", "coding"),
        ("Governance and Risk", "governance"), ("Occupational Health", "occupational_health"),
        ("Communications", "comms"), ("Patient Experience", "pals"), ("Payroll", "finance"),
        ("Procurement", "finance"),
    )),)),
    Directorate("Estates and Facilities", 0.08, 1, (EA, "Head of estates and facilities"), groups=(Group((
        ("Portering", "portering"), ("Domestic Services", "domestic"), ("Catering", "catering"),
        ("Estates Maintenance", "estates"), ("Security", "security"), ("Linen Services", "linen"),
        ("Transport and Logistics", "transport"), ("Waste Management", "waste"), ("Grounds and Gardens", "grounds"),
        ("Car Parking and Travel", "security"),
    )),)),
)

# The trust's executive office: (key, group, title, tier). The chief executive manages the
# office; the directors of nursing and operations line-manage the directorates, so they hold
# scope over the whole trust.
EXECUTIVES = (
    ("ceo", AC, "Chief executive", 3),
    ("don", NM, "Director of nursing", 3),
    ("md", MD, "Medical director", 3),
    ("coo", AC, "Chief operating officer", 3),
    ("dow", AC, "Director of workforce", 3),
    ("pa", AC, "Executive assistant", 1),
)
TRUST_WIDE = ("don", "coo")
