"""Demonstration data: a made-up NHS trust with staff, managers and a few years of activity.

Everything comes from one seed, so the same arguments give the same organisation, people
and activities every time (only password salts and session tokens differ). Rows go in with
Core bulk inserts and ids assigned here, so 20,000 staff over three years load in a minute
or two on SQLite and PostgreSQL alike. The caller commits.
"""
from __future__ import annotations

import math
import random
import re
import secrets
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from flask import current_app
from sqlalchemy import func, insert, select, text

from tracker.appraisal_year import AppraisalYear, year_containing
from tracker.auth.services import hash_password
from tracker.compliance import Counts, Rule, load_rules, meets
from tracker.extensions import db
from tracker.framework_import import current_framework
from tracker.models import (
    Activity,
    ActivityStatus,
    ActivityType,
    Behaviour,
    BehaviourTier,
    Course,
    Exemption,
    ExemptionReason,
    ManagerScope,
    OrganisationUnit,
    Person,
    PersonRole,
    ReflectionModel,
    Role,
    StaffGroup,
    Subject,
    UnitClosure,
    UnitKind,
    activity_behaviour,
    course_behaviour,
)
from tracker.organisation import closure_rows
from tracker.portfolio.reflection import MODELS as REFLECTION_MODELS
from tracker.reference import load_reference_data

DEMO_PASSWORD = "demo-pass-2026"
TRUST_NAME = "Northfield Hospitals NHS Foundation Trust"
CHUNK = 5000
MIN_STAFF = 60

# The accounts printed after a load, in the order people would try them.
DEMO_ACCOUNTS = (
    ("staff@example.org", "Staff member, Ward 7 (Oncology)"),
    ("manager@example.org", "Ward manager, Ward 7 (Oncology)"),
    ("director@example.org", "Senior manager, Cancer Services"),
    ("lead@example.org", "Education lead"),
    ("admin@example.org", "Admin"),
)


class DemoAlreadyLoaded(RuntimeError):
    """The database already has people: demo data is loaded on first run and never twice."""


# --- Jobs -------------------------------------------------------------------------------

NM = StaffGroup.NURSING_MIDWIFERY
ACS = StaffGroup.ADDITIONAL_CLINICAL
AC = StaffGroup.ADMIN_CLERICAL
AHP = StaffGroup.ALLIED_HEALTH
EA = StaffGroup.ESTATES_ANCILLARY
HS = StaffGroup.HEALTHCARE_SCIENTISTS
MD = StaffGroup.MEDICAL_DENTAL
APST = StaffGroup.ADD_PROF_SCIENTIFIC
ST = StaffGroup.STUDENTS

# key -> (staff group, job title, tier). Tier follows the role: regular contact with
# patients or the public is tier 2; specialists, senior clinicians and leaders tier 3.
JOBS: dict[str, tuple[StaffGroup, str, int]] = {
    "staff_nurse": (NM, "Staff nurse", 2),
    "senior_staff_nurse": (NM, "Senior staff nurse", 2),
    "sister": (NM, "Sister", 3),
    "cns": (NM, "Clinical nurse specialist", 3),
    "anp": (NM, "Advanced nurse practitioner", 3),
    "chemo_nurse": (NM, "Chemotherapy nurse", 2),
    "midwife": (NM, "Midwife", 2),
    "labour_ward_coordinator": (NM, "Labour ward coordinator", 3),
    "community_nurse": (NM, "Community staff nurse", 2),
    "district_nurse": (NM, "District nursing sister", 3),
    "theatre_nurse": (NM, "Theatre staff nurse", 2),
    "childrens_nurse": (NM, "Children's nurse", 2),
    "neonatal_nurse": (NM, "Neonatal nurse", 2),
    "practice_educator": (NM, "Clinical practice educator", 3),
    "oh_nurse": (NM, "Occupational health nurse", 2),
    "hca": (ACS, "Healthcare assistant", 2),
    "senior_hca": (ACS, "Senior healthcare assistant", 2),
    "nursing_associate": (ACS, "Nursing associate", 2),
    "msw": (ACS, "Maternity support worker", 2),
    "therapy_assistant": (ACS, "Therapy assistant", 2),
    "phlebotomist": (ACS, "Phlebotomist", 2),
    "theatre_support": (ACS, "Theatre support worker", 2),
    "ward_housekeeper": (ACS, "Ward housekeeper", 1),
    "pharmacy_assistant": (ACS, "Pharmacy assistant", 1),
    "lab_assistant": (ACS, "Medical laboratory assistant", 1),
    "cancer_support_worker": (ACS, "Cancer support worker", 2),
    "imaging_assistant": (ACS, "Imaging assistant", 2),
    "play_specialist": (ACS, "Play specialist", 2),
    "hs_assistant": (ACS, "Healthcare science assistant", 1),
    "ward_clerk": (AC, "Ward clerk", 1),
    "receptionist": (AC, "Receptionist", 1),
    "medical_secretary": (AC, "Medical secretary", 1),
    "administrator": (AC, "Administrator", 1),
    "booking_clerk": (AC, "Booking clerk", 1),
    "records_clerk": (AC, "Medical records clerk", 1),
    "mdt_coordinator": (AC, "MDT coordinator", 1),
    "pals_officer": (AC, "Patient advice and liaison officer", 2),
    "complaints_officer": (AC, "Complaints officer", 2),
    "bereavement_officer": (AC, "Bereavement officer", 2),
    "switchboard": (AC, "Switchboard operator", 1),
    "hr_adviser": (AC, "HR adviser", 1),
    "finance_officer": (AC, "Finance officer", 1),
    "buyer": (AC, "Procurement officer", 1),
    "it_analyst": (AC, "IT service desk analyst", 1),
    "clinical_coder": (AC, "Clinical coder", 1),
    "governance_officer": (AC, "Governance and risk officer", 1),
    "comms_officer": (AC, "Communications officer", 1),
    "admin_team_leader": (AC, "Administration team leader", 2),
    "service_manager": (AC, "Service manager", 3),
    "ld_facilitator": (AC, "Learning and development facilitator", 3),
    "physio": (AHP, "Physiotherapist", 2),
    "ot": (AHP, "Occupational therapist", 2),
    "slt": (AHP, "Speech and language therapist", 2),
    "dietitian": (AHP, "Dietitian", 2),
    "diagnostic_radiographer": (AHP, "Diagnostic radiographer", 2),
    "therapeutic_radiographer": (AHP, "Therapeutic radiographer", 2),
    "podiatrist": (AHP, "Podiatrist", 2),
    "paramedic": (AHP, "Paramedic", 2),
    "orthoptist": (AHP, "Orthoptist", 2),
    "specialist_physio": (AHP, "Clinical specialist physiotherapist", 3),
    "specialist_ot": (AHP, "Clinical specialist occupational therapist", 3),
    "consultant_radiographer": (AHP, "Consultant radiographer", 3),
    "pharmacist": (APST, "Pharmacist", 2),
    "specialist_pharmacist": (APST, "Specialist pharmacist", 3),
    "pharmacy_technician": (APST, "Pharmacy technician", 2),
    "odp": (APST, "Operating department practitioner", 2),
    "psychologist": (APST, "Clinical psychologist", 3),
    "counsellor": (APST, "Counsellor", 3),
    "biomedical_scientist": (HS, "Biomedical scientist", 1),
    "clinical_scientist": (HS, "Clinical scientist", 3),
    "cardiac_physiologist": (HS, "Cardiac physiologist", 2),
    "respiratory_physiologist": (HS, "Respiratory physiologist", 2),
    "audiologist": (HS, "Audiologist", 2),
    "medical_physicist": (HS, "Clinical scientist (medical physics)", 3),
    "dosimetrist": (HS, "Radiotherapy dosimetrist", 2),
    "apt": (HS, "Anatomical pathology technologist", 2),
    "foundation_doctor": (MD, "Foundation doctor", 2),
    "core_trainee": (MD, "Core trainee doctor", 2),
    "registrar": (MD, "Specialty registrar", 3),
    "specialty_doctor": (MD, "Specialty doctor", 3),
    "consultant_physician": (MD, "Consultant physician", 3),
    "consultant_surgeon": (MD, "Consultant surgeon", 3),
    "consultant_oncologist": (MD, "Consultant oncologist", 3),
    "consultant_haematologist": (MD, "Consultant haematologist", 3),
    "consultant_palliative": (MD, "Consultant in palliative medicine", 3),
    "consultant_anaesthetist": (MD, "Consultant anaesthetist", 3),
    "consultant_emergency": (MD, "Consultant in emergency medicine", 3),
    "consultant_obstetrician": (MD, "Consultant obstetrician", 3),
    "consultant_paediatrician": (MD, "Consultant paediatrician", 3),
    "consultant_radiologist": (MD, "Consultant radiologist", 3),
    "consultant_pathologist": (MD, "Consultant histopathologist", 3),
    "porter": (EA, "Porter", 1),
    "domestic": (EA, "Domestic assistant", 1),
    "catering": (EA, "Catering assistant", 1),
    "chef": (EA, "Chef", 1),
    "electrician": (EA, "Electrician", 1),
    "maintenance": (EA, "Maintenance technician", 1),
    "security": (EA, "Security officer", 1),
    "linen": (EA, "Linen services assistant", 1),
    "driver": (EA, "Transport driver", 1),
    "waste": (EA, "Waste services operative", 1),
    "gardener": (EA, "Gardener", 1),
    "sterile_tech": (EA, "Sterile services technician", 1),
    "facilities_supervisor": (EA, "Facilities supervisor", 2),
    "student_nurse": (ST, "Student nurse", 2),
    "student_midwife": (ST, "Student midwife", 2),
    "nursing_apprentice": (ST, "Nursing degree apprentice", 2),
    "trainee_nursing_associate": (ST, "Trainee nursing associate", 2),
    "student_odp": (ST, "Student operating department practitioner", 2),
    "student_radiographer": (ST, "Student radiographer", 2),
    "student_physio": (ST, "Student physiotherapist", 2),
    "trainee_pharmacist": (ST, "Trainee pharmacist", 2),
    "admin_apprentice": (ST, "Business administration apprentice", 1),
}

# A team's profile says who works there (job key, weight), who manages it, and how big it is.
@dataclass(frozen=True)
class Profile:
    jobs: tuple[tuple[str, int], ...]
    manager: tuple[StaffGroup, str]
    size: float = 1.0


_WARD_CORE = (("staff_nurse", 28), ("senior_staff_nurse", 7), ("sister", 3), ("hca", 22), ("senior_hca", 3),
              ("nursing_associate", 4), ("ward_clerk", 3), ("ward_housekeeper", 3), ("foundation_doctor", 4),
              ("core_trainee", 2), ("registrar", 2), ("student_nurse", 5), ("trainee_nursing_associate", 2),
              ("nursing_apprentice", 1), ("physio", 2), ("ot", 1), ("pharmacist", 1))

PROFILES: dict[str, Profile] = {
    "ward_medical": Profile(_WARD_CORE + (("consultant_physician", 2),), (NM, "Ward manager"), 1.3),
    "ward_surgical": Profile(_WARD_CORE + (("consultant_surgeon", 2),), (NM, "Ward manager"), 1.3),
    "ward_oncology": Profile(_WARD_CORE + (("consultant_oncologist", 2), ("chemo_nurse", 4), ("cns", 2),
                                           ("cancer_support_worker", 2), ("dietitian", 1)), (NM, "Ward manager"), 1.2),
    "oncology_day_unit": Profile((("chemo_nurse", 24), ("staff_nurse", 10), ("hca", 10), ("receptionist", 4),
                                  ("pharmacy_technician", 3), ("specialist_pharmacist", 2),
                                  ("consultant_haematologist", 2), ("registrar", 2), ("student_nurse", 3)),
                                 (NM, "Unit manager"), 1.0),
    "cancer_specialist": Profile((("cns", 30), ("anp", 6), ("cancer_support_worker", 8), ("administrator", 5),
                                  ("mdt_coordinator", 4), ("consultant_palliative", 3), ("psychologist", 2),
                                  ("specialty_doctor", 2)), (NM, "Lead nurse"), 0.6),
    "radiotherapy": Profile((("therapeutic_radiographer", 30), ("consultant_radiographer", 2), ("dosimetrist", 4),
                             ("medical_physicist", 4), ("consultant_oncologist", 3), ("registrar", 2),
                             ("receptionist", 4), ("imaging_assistant", 3), ("student_radiographer", 3)),
                            (AHP, "Radiotherapy services manager"), 1.2),
    "cancer_support": Profile((("cancer_support_worker", 10), ("cns", 3), ("administrator", 2), ("counsellor", 2)),
                              (AC, "Information and support manager"), 0.4),
    "mdt_office": Profile((("mdt_coordinator", 15), ("medical_secretary", 8), ("administrator", 6),
                           ("admin_team_leader", 2), ("admin_apprentice", 1)), (AC, "Cancer services office manager"), 0.6),
    "psychology": Profile((("psychologist", 8), ("counsellor", 4), ("administrator", 2)),
                          (APST, "Consultant clinical psychologist"), 0.4),
    "emergency": Profile((("staff_nurse", 25), ("senior_staff_nurse", 6), ("sister", 3), ("anp", 3), ("hca", 14),
                          ("receptionist", 6), ("foundation_doctor", 5), ("core_trainee", 4), ("registrar", 4),
                          ("consultant_emergency", 3), ("paramedic", 2), ("student_nurse", 4)),
                         (NM, "Emergency department manager"), 2.2),
    "clinic": Profile((("staff_nurse", 10), ("hca", 12), ("receptionist", 12), ("booking_clerk", 6),
                       ("medical_secretary", 6), ("consultant_physician", 4), ("registrar", 2),
                       ("specialty_doctor", 2), ("cns", 3), ("orthoptist", 1), ("student_nurse", 1)),
                      (NM, "Outpatients sister"), 0.9),
    "critical_care": Profile((("staff_nurse", 30), ("senior_staff_nurse", 8), ("sister", 4), ("anp", 2), ("hca", 8),
                              ("consultant_anaesthetist", 4), ("registrar", 4), ("physio", 2), ("student_nurse", 3),
                              ("ward_clerk", 2)), (NM, "Unit manager"), 1.6),
    "theatre": Profile((("odp", 15), ("theatre_nurse", 15), ("theatre_support", 10), ("consultant_anaesthetist", 6),
                        ("consultant_surgeon", 4), ("registrar", 3), ("student_odp", 2), ("administrator", 2),
                        ("porter", 2)), (NM, "Theatre manager"), 1.8),
    "sterile": Profile((("sterile_tech", 20), ("facilities_supervisor", 2), ("administrator", 1)),
                       (EA, "Sterile services manager"), 0.8),
    "maternity": Profile((("midwife", 30), ("labour_ward_coordinator", 4), ("msw", 12),
                          ("consultant_obstetrician", 3), ("registrar", 3), ("foundation_doctor", 2),
                          ("student_midwife", 6), ("ward_clerk", 2)), (NM, "Midwifery manager"), 1.3),
    "neonatal": Profile((("neonatal_nurse", 25), ("sister", 3), ("anp", 2), ("hca", 6),
                         ("consultant_paediatrician", 3), ("registrar", 2), ("student_nurse", 2)),
                        (NM, "Neonatal unit manager"), 1.1),
    "paediatric": Profile((("childrens_nurse", 25), ("sister", 3), ("hca", 6), ("play_specialist", 2),
                           ("consultant_paediatrician", 3), ("registrar", 2), ("foundation_doctor", 2),
                           ("student_nurse", 4), ("ward_clerk", 2)), (NM, "Ward manager"), 1.1),
    "community_nursing": Profile((("community_nurse", 20), ("district_nurse", 6), ("hca", 10),
                                  ("nursing_associate", 3), ("administrator", 4), ("student_nurse", 3), ("anp", 1)),
                                 (NM, "Community nursing team leader"), 1.0),
    "therapy": Profile((("physio", 14), ("ot", 12), ("slt", 4), ("dietitian", 4), ("specialist_physio", 3),
                        ("specialist_ot", 2), ("therapy_assistant", 10), ("administrator", 2), ("student_physio", 2)),
                       (AHP, "Therapy team lead"), 1.0),
    "podiatry": Profile((("podiatrist", 12), ("therapy_assistant", 4), ("receptionist", 2)),
                        (AHP, "Podiatry team lead"), 0.7),
    "lab": Profile((("biomedical_scientist", 25), ("lab_assistant", 12), ("clinical_scientist", 3),
                    ("consultant_pathologist", 2), ("administrator", 2), ("hs_assistant", 4)),
                   (HS, "Laboratory manager"), 1.1),
    "phlebotomy": Profile((("phlebotomist", 20), ("receptionist", 3), ("senior_hca", 2)),
                          (ACS, "Phlebotomy team leader"), 0.8),
    "imaging": Profile((("diagnostic_radiographer", 25), ("consultant_radiographer", 2), ("imaging_assistant", 8),
                        ("consultant_radiologist", 5), ("registrar", 2), ("receptionist", 6),
                        ("student_radiographer", 3)), (AHP, "Imaging services manager"), 1.3),
    "pharmacy": Profile((("pharmacist", 14), ("specialist_pharmacist", 5), ("pharmacy_technician", 14),
                         ("pharmacy_assistant", 10), ("administrator", 2), ("trainee_pharmacist", 2), ("driver", 1)),
                        (APST, "Pharmacy operations manager"), 1.2),
    "physiology": Profile((("cardiac_physiologist", 12), ("respiratory_physiologist", 4), ("audiologist", 6),
                           ("clinical_scientist", 3), ("hs_assistant", 3), ("receptionist", 3)),
                          (HS, "Physiological sciences manager"), 0.8),
    "medical_physics": Profile((("medical_physicist", 10), ("clinical_scientist", 4), ("dosimetrist", 3),
                                ("administrator", 1)), (HS, "Head of medical physics"), 0.6),
    "mortuary": Profile((("apt", 6), ("bereavement_officer", 4), ("consultant_pathologist", 1)),
                        (HS, "Mortuary and bereavement manager"), 0.4),
    "occupational_health": Profile((("oh_nurse", 6), ("administrator", 2), ("physio", 1), ("counsellor", 1)),
                                   (NM, "Occupational health manager"), 0.4),
    "records": Profile((("records_clerk", 20), ("admin_team_leader", 2), ("administrator", 3),
                        ("admin_apprentice", 1)), (AC, "Health records manager"), 0.9),
    "learning": Profile((("ld_facilitator", 6), ("practice_educator", 4), ("administrator", 3),
                         ("admin_apprentice", 1)), (AC, "Head of learning and development"), 0.5),
    "it": Profile((("it_analyst", 14), ("administrator", 2), ("admin_apprentice", 1)),
                  (AC, "IT service manager"), 0.7),
    "hr": Profile((("hr_adviser", 10), ("administrator", 4), ("service_manager", 1), ("admin_apprentice", 1)),
                  (AC, "HR business partner"), 0.6),
    "pals": Profile((("pals_officer", 6), ("complaints_officer", 4), ("administrator", 2)),
                    (AC, "Patient experience manager"), 0.4),
    "finance": Profile((("finance_officer", 12), ("buyer", 2), ("administrator", 2)),
                       (AC, "Finance manager"), 0.6),
    "switchboard": Profile((("switchboard", 12), ("admin_team_leader", 1)), (AC, "Switchboard manager"), 0.5),
    "booking": Profile((("booking_clerk", 15), ("receptionist", 3), ("admin_team_leader", 2)),
                       (AC, "Patient access manager"), 0.8),
    "coding": Profile((("clinical_coder", 12), ("admin_team_leader", 1)), (AC, "Clinical coding manager"), 0.5),
    "governance": Profile((("governance_officer", 6), ("service_manager", 1), ("administrator", 2)),
                          (AC, "Head of governance"), 0.4),
    "comms": Profile((("comms_officer", 5), ("administrator", 1)), (AC, "Head of communications"), 0.3),
    "portering": Profile((("porter", 25), ("facilities_supervisor", 2)), (EA, "Portering manager"), 1.3),
    "domestic": Profile((("domestic", 25), ("facilities_supervisor", 2)), (EA, "Domestic services manager"), 1.5),
    "catering": Profile((("catering", 15), ("chef", 5), ("facilities_supervisor", 1)), (EA, "Catering manager"), 1.0),
    "estates": Profile((("maintenance", 10), ("electrician", 6), ("facilities_supervisor", 2)),
                       (EA, "Estates maintenance manager"), 0.8),
    "security": Profile((("security", 10), ("facilities_supervisor", 1)), (EA, "Security manager"), 0.5),
    "linen": Profile((("linen", 10), ("facilities_supervisor", 1)), (EA, "Linen services manager"), 0.5),
    "transport": Profile((("driver", 10), ("administrator", 1)), (EA, "Transport manager"), 0.5),
    "waste": Profile((("waste", 6),), (EA, "Waste manager"), 0.3),
    "grounds": Profile((("gardener", 6),), (EA, "Grounds manager"), 0.3),
    "office": Profile((("medical_secretary", 3), ("administrator", 3), ("service_manager", 2),
                       ("admin_team_leader", 1)), (AC, "Directorate manager"), 0.3),
}


# --- The organisation ----------------------------------------------------------------------

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

FIRST_NAMES = (
    "Aisha", "Adam", "Adebayo", "Agnieszka", "Ahmed", "Alice", "Amara", "Amelia", "Amir", "Ana", "Andrew",
    "Anita", "Ben", "Bethany", "Bilal", "Bukola", "Callum", "Caroline", "Catherine", "Chen", "Chidi", "Chloe",
    "Claire", "Connor", "Daniel", "Deborah", "Deepa", "Declan", "Ebony", "Eilidh", "Eleanor", "Emeka", "Emily",
    "Emma", "Fatima", "Femi", "Fiona", "Gareth", "Grace", "Hannah", "Harjit", "Harry", "Hassan", "Helen",
    "Imran", "Isabel", "Jack", "James", "Jasmine", "Jennifer", "Joanne", "John", "Joseph", "Kate", "Kemi",
    "Kerry", "Kieran", "Kwame", "Laura", "Leah", "Liam", "Lucy", "Maria", "Mark", "Marta", "Matthew",
    "Megan", "Mei", "Michael", "Mohammed", "Molly", "Nadia", "Naomi", "Natalie", "Neil", "Nikhil", "Niamh",
    "Oliver", "Olivia", "Omar", "Paul", "Precious", "Priya", "Rachel", "Rajesh", "Rebecca", "Rhys", "Rosa",
    "Ruth", "Ryan", "Sadia", "Samuel", "Sarah", "Sean", "Shanice", "Simon", "Sophie", "Sunita", "Tariq",
    "Thomas", "Tendai", "Tomasz", "Victoria", "Wei", "William", "Yusuf", "Zainab", "Zoe",
)
SURNAMES = (
    "Adams", "Afolabi", "Ahmed", "Ali", "Allen", "Anderson", "Asante", "Bailey", "Baker", "Banerjee", "Begum",
    "Bell", "Bennett", "Brown", "Campbell", "Chan", "Chaudhry", "Clarke", "Collins", "Cooper", "Davies",
    "Dhillon", "Edwards", "Evans", "Fernandes", "Fisher", "Fraser", "Gill", "Green", "Griffiths", "Hall",
    "Harris", "Hughes", "Hussain", "Iqbal", "Jackson", "James", "Jenkins", "Johnson", "Jones", "Kaur", "Kelly",
    "Khan", "King", "Kowalski", "Lee", "Lewis", "Li", "Lloyd", "Mahmood", "Martin", "Mensah", "Mistry",
    "Mitchell", "Moore", "Morgan", "Morris", "Murphy", "Nowak", "Nwosu", "O'Brien", "O'Connor", "Okafor",
    "Okonkwo", "Osei", "Owen", "Parker", "Patel", "Phillips", "Price", "Rahman", "Reid", "Roberts", "Robinson",
    "Rodrigues", "Scott", "Shah", "Sharma", "Singh", "Smith", "Stewart", "Taylor", "Thomas", "Thompson",
    "Turner", "Walker", "Ward", "Watson", "White", "Williams", "Wilson", "Wood", "Wright", "Young", "Zhang",
)


# --- Activities --------------------------------------------------------------------------------

# Topics by tier: everyday conversations for everyone, clinical ones for tier 2, complex and leading for tier 3.
TOPICS = {
    1: ("reassuring an anxious patient during a transfer", "helping a lost and upset visitor",
        "a complaint at the front desk", "a telephone call from a worried relative",
        "talking with a patient who has dementia", "a patient with hearing loss", "explaining a delay in clinic",
        "speaking up about a safety concern", "a conversation with a patient whose first language is not English",
        "an angry caller on the phone"),
    2: ("explaining a chemotherapy delay", "a distressed relative at visiting time", "a handover at shift change",
        "consent for a procedure", "talking about pain with a patient who does not want to complain",
        "using an interpreter", "discharge planning with a family", "answering 'am I going to die?'",
        "supporting a patient after a new diagnosis", "setting goals for rehabilitation",
        "a conversation about eating and drinking at the end of life", "talking with a young carer"),
    3: ("breaking bad news", "discussing stopping active treatment", "advance care planning",
        "a family meeting about ceilings of care", "a complaint meeting with a family",
        "leading a team huddle after an incident", "giving feedback to a junior colleague",
        "a conversation about resuscitation decisions", "supporting a colleague after a death",
        "teaching communication skills to students", "chairing a multidisciplinary meeting"),
}
DEBRIEF_EVENTS = ("a difficult shift", "an unexpected death on the ward", "a violent incident", "a cardiac arrest",
                  "a complaint", "a busy weekend", "a safeguarding concern", "a long wait in the department")
SCHWARTZ_THEMES = ("The patient I'll never forget", "When it goes wrong", "Caring for colleagues",
                   "A patient who changed how I work", "Hope and uncertainty", "When we disagree with the family")
SHADOWING = ("the specialist palliative care team", "a clinical nurse specialist", "the patient advice and liaison team",
             "the chaplaincy team", "a consultant clinic", "the discharge team", "the acute oncology service")

TITLE_TEMPLATES = {
    "observed_practice_feedback": ("Observed practice: {topic}", "Observed with feedback: {topic}"),
    "simulation_role_play": ("Simulation session: {topic}", "Role-play with an actor: {topic}"),
    "reflective_case_review": ("Case review: {topic}", "Reflective case review: {topic}"),
    "clinical_supervision": ("Clinical supervision: {topic}",),
    "peer_supervision": ("Peer supervision group: {topic}",),
    "coaching_mentoring": ("Coaching session on {topic}", "Mentoring conversation about {topic}"),
    "team_debrief": ("Team debrief after {event}",),
    "schwartz_round": ("Schwartz round: {theme}",),
    "peer_observation": ("Peer observation: {topic}",),
    "shadowing": ("Shadowing {shadow}",),
    "workshop_with_practice": ("Communication skills workshop: {topic}",),
    "e_learning": ("e-learning: {topic}",),
    "reading_self_study": ("Reading about {topic}",),
    "lecture_conference": ("Conference session on {topic}", "Lecture: {topic}"),
}
# How often each type is picked; non-clinical staff get no clinical supervision.
EXPERIENTIAL_WEIGHTS = {
    "observed_practice_feedback": 14, "simulation_role_play": 10, "reflective_case_review": 12,
    "clinical_supervision": 10, "peer_supervision": 8, "coaching_mentoring": 8, "team_debrief": 12,
    "schwartz_round": 8, "peer_observation": 6, "shadowing": 6, "workshop_with_practice": 10,
}
OTHER_WEIGHTS = {"e_learning": 60, "reading_self_study": 25, "lecture_conference": 15}
NON_CLINICAL = {AC, EA}
DURATIONS = (30, 45, 60, 60, 60, 90, 90, 120, 120, 180, 240, 360, 420, 480)

# The prompts the portfolio's form asks, so demo reflections show on every page.
REFLECTION_KEYS = {model: tuple(prompt.key for prompt in spec.prompts) for model, spec in REFLECTION_MODELS.items()}
# Sentences for each prompt; {topic} is the activity's subject. No names, dates or numbers:
# reflections must never identify a patient.
SENTENCES = {
    "what": ("I took part in a session on {topic}.", "This was about {topic}, with a colleague watching.",
             "We went over {topic} together as a team.", "I was involved in {topic} during a busy shift."),
    "so_what": ("I noticed that I rush to fill silences, and the person had more to say when I waited.",
                "Checking what the person already knew changed the whole conversation.",
                "It showed me how much my tone matters when someone is frightened.",
                "I realised I had been using jargon without noticing."),
    "now_what": ("Next time I will ask what matters most to the person before giving information.",
                 "I will practise summarising back and checking understanding.",
                 "I plan to ask a colleague to observe me again in a month.",
                 "I will share what I learned at our next team meeting."),
    "description": ("The activity was {topic}.", "I was part of {topic} with two colleagues.",
                    "I looked back on {topic} from last week."),
    "feelings": ("I felt nervous at first and more confident by the end.", "I felt out of my depth for a moment.",
                 "I was worried I would say the wrong thing."),
    "evaluation": ("What went well was that I introduced myself and explained why I was there.",
                   "The conversation was calm and the person said they felt listened to.",
                   "It went less well when I moved on before the person was ready."),
    "analysis": ("Leaving space helped the person say what was really worrying them.",
                 "Plain words worked better than the leaflet.",
                 "The noise on the ward made it hard to give full attention."),
    "conclusion": ("I could have checked understanding sooner.", "Slowing down made the conversation shorter, not longer.",
                   "Asking open questions first gave me a clearer picture."),
    "action_plan": ("I will use a simple structure for difficult conversations.",
                    "I will book a quiet room for conversations like this one.",
                    "I will ask for feedback from a senior colleague after my next one."),
    "activity": ("The activity was {topic}.", "I took part in {topic}."),
    "learning": ("I learned to stop and check what the person already understands.",
                 "I learned how much body language says when words are hard.",
                 "I learned to name emotions rather than move past them."),
    "practice": ("I now sit down and make eye contact before starting a difficult conversation.",
               "I now ask what matters most to the person before planning care.",
               "I have changed how I hand over so that worries are passed on."),
    "code": ("This relates to treating people as individuals and communicating clearly.",
             "It links to listening to people and responding to their preferences and concerns.",
             "It relates to working in partnership with people and their families."),
}
FEEDBACK = (
    "Thank you. Please say what you will do differently next time before I sign this off.",
    "Please choose the behaviours you actually practised; several of these do not match the summary.",
    "The duration looks high for a single session. Please check it and resubmit.",
    "Could you add a line on how the conversation went for the person? Then I can sign it off.",
    "Please take out the details that could identify the patient and resubmit.",
)
OTHER_EXEMPTION_DETAILS = ("Phased return agreed with occupational health", "Career break",
                           "Extended leave agreed by the directorate", "Working on a research project off site")
REVALIDATING = {NM, AHP, MD, HS, APST}


@dataclass
class _Person:
    id: int
    tier: int
    staff_group: StaffGroup
    team_id: int
    line_manager_id: int | None
    active: bool = True
    email: str = ""
    new_starter_year: AppraisalYear | None = None
    exempt_year: AppraisalYear | None = None


@dataclass
class _Spec:
    """One activity to write, before its type, title and dates are chosen."""

    experiential: bool
    status: ActivityStatus
    behaviours: list[int]
    minutes: int
    type_code: str | None = None
    title: str | None = None
    course_code: str | None = None
    when: float | None = None  # fraction of the way through the available days
    feedback: str | None = None


# --- The loader ----------------------------------------------------------------------------------

def load_demo(staff: int = 180, years: int = 2, seed: int = 2026, today: date | None = None) -> dict[str, int]:
    """Load the demo trust into an empty database; returns rows inserted per table. The caller commits."""
    if staff < MIN_STAFF:
        raise ValueError(f"staff must be at least {MIN_STAFF}, got {staff}")
    if years < 1:
        raise ValueError(f"years must be at least 1, got {years}")
    if db.session.scalar(select(func.count()).select_from(Person)):
        raise DemoAlreadyLoaded("The database already has people in it; demo data is only loaded into an empty database.")
    load_reference_data()
    loader = _Loader(random.Random(seed), staff, years, today or date.today())
    counts = loader.run()
    # Planner statistics for the bulk-loaded tables; without them PostgreSQL picks minute-long plans.
    db.session.execute(text("ANALYZE"))
    return counts


class _Loader:
    def __init__(self, rng: random.Random, staff: int, years: int, today: date):
        self.rng = rng
        self.staff = staff
        self.today = today
        start_month = current_app.config.get("APPRAISAL_YEAR_START_MONTH", 4)
        current = year_containing(today, start_month)
        self.years = [current]
        while len(self.years) < years:
            self.years.insert(0, self.years[0].previous())
        self.current = current
        self.counts: dict[str, int] = {}
        self.units: list[dict] = []
        self.parent_of: dict[int, int | None] = {}
        self.people: list[dict] = []
        self.roles: list[dict] = []
        self.scopes: list[dict] = []
        self.by_email: dict[str, _Person] = {}
        self.password_hash = hash_password(DEMO_PASSWORD)
        self.next_unit_id = _next_id(OrganisationUnit)
        self.next_person_id = _next_id(Person)
        self.next_activity_id = _next_id(Activity)
        self.next_exemption_id = _next_id(Exemption)
        self.employee_numbers = iter(rng.sample(range(10_000_000, 100_000_000), staff))
        self.serial = 0

    # -- orchestration

    def run(self) -> dict[str, int]:
        self._read_reference()
        self._build_organisation()
        self._build_people()
        self._write(OrganisationUnit, self.units)
        self._write(UnitClosure, closure_rows(self.parent_of))
        self._write(Person, self.people)
        self._write(PersonRole, self.roles)
        self._write(ManagerScope, self.scopes)
        exemptions = self._build_exemptions()
        activities, links = self._build_activities()
        self._write(Activity, activities)
        self._write(activity_behaviour, links)
        self._write(Exemption, exemptions)
        self._reset_sequences()
        return self.counts

    def _write(self, model, rows: list[dict]) -> None:
        table = getattr(model, "__table__", model)
        for start in range(0, len(rows), CHUNK):
            db.session.execute(insert(table), rows[start:start + CHUNK])
        self.counts[table.name] = self.counts.get(table.name, 0) + len(rows)

    def _reset_sequences(self) -> None:
        """Explicit ids leave PostgreSQL's sequences behind; move them on so later inserts work."""
        if db.session.get_bind().dialect.name != "postgresql":
            return
        for table in ("organisation_unit", "person", "activity", "exemption"):
            db.session.execute(text(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                f"(SELECT COALESCE(MAX(id), 0) + 1 FROM {table}), false)"
            ))

    # -- reference data

    def _read_reference(self) -> None:
        framework = current_framework()
        rows = db.session.execute(
            select(Behaviour.id, Behaviour.code, BehaviourTier.tier, Subject.is_leadership)
            .join(BehaviourTier, BehaviourTier.behaviour_id == Behaviour.id)
            .join(Subject, Subject.id == Behaviour.subject_id)
            .where(Behaviour.framework_id == framework.id)
            .order_by(Behaviour.id, BehaviourTier.tier)
        ).all()
        self.tier_behaviours: dict[int, list[int]] = {1: [], 2: [], 3: []}
        self.tier_leadership: dict[int, list[int]] = {1: [], 2: [], 3: []}
        self.behaviour_by_code: dict[str, int] = {}
        for behaviour_id, code, tier, leadership in rows:
            self.behaviour_by_code[code] = behaviour_id
            if tier in self.tier_behaviours:
                self.tier_behaviours[tier].append(behaviour_id)
                if leadership:
                    self.tier_leadership[tier].append(behaviour_id)
        self.leadership = {b for ids in self.tier_leadership.values() for b in ids}
        self.rules: dict[int, Rule] = load_rules()
        self.type_ids: dict[str, int] = {}
        self.experiential_types: dict[str, bool] = {}
        for type_id, code, experiential in db.session.execute(
            select(ActivityType.id, ActivityType.code, ActivityType.experiential).order_by(ActivityType.position, ActivityType.id)
        ):
            self.type_ids[code] = type_id
            self.experiential_types[code] = experiential
        # Weights only for the types that exist, so an organisation's own vocabulary still works.
        self.exp_weights = {c: w for c, w in EXPERIENTIAL_WEIGHTS.items() if self.experiential_types.get(c) is True}
        self.other_weights = {c: w for c, w in OTHER_WEIGHTS.items() if self.experiential_types.get(c) is False}
        for code, experiential in self.experiential_types.items():
            (self.exp_weights if experiential else self.other_weights).setdefault(code, 3)
        if not self.exp_weights:
            raise RuntimeError("No experiential activity types are loaded; cannot build demo activities.")
        course_behaviours: dict[int, list[int]] = {}
        for course_id, behaviour_id in db.session.execute(
            select(course_behaviour.c.course_id, course_behaviour.c.behaviour_id)
            .order_by(course_behaviour.c.course_id, course_behaviour.c.behaviour_id)
        ):
            course_behaviours.setdefault(course_id, []).append(behaviour_id)
        self.courses: dict[str, dict] = {}
        for course in db.session.scalars(select(Course).where(Course.retired.is_(False)).order_by(Course.code)):
            self.courses[course.code] = {
                "id": course.id, "title": course.title, "format": course.format,
                "experiential": course.experiential, "behaviours": course_behaviours.get(course.id, []),
                "minutes": int(course.duration_hours * 60) if course.duration_hours else None,
            }

    # -- organisation

    def _unit(self, name: str, kind: UnitKind, parent: int | None) -> int:
        unit_id = self.next_unit_id
        self.next_unit_id += 1
        self.units.append({"id": unit_id, "name": name, "kind": kind, "parent_id": parent,
                           "created_at": datetime.combine(self.years[0].starts_on, time(9), tzinfo=UTC)})
        self.parent_of[unit_id] = parent
        return unit_id

    def _team_count(self) -> int:
        return max(sum(d.min_teams for d in DIRECTORATES), round(self.staff / 38))

    def _build_organisation(self) -> None:
        rng = self.rng
        self.trust_id = self._unit(TRUST_NAME, UnitKind.ORGANISATION, None)
        self.exec_team_id = self._unit("Executive Office", UnitKind.TEAM, self.trust_id)
        counts = _apportion(self._team_count(), [d.weight for d in DIRECTORATES], [d.min_teams for d in DIRECTORATES])
        # team records: (unit id, profile, directorate index)
        self.teams: list[dict] = []
        self.directorate_ids: list[int] = []
        self.office_ids: list[int] = []
        self.team_by_name: dict[str, int] = {}
        ward_numbers = iter(range(30, 10_000))
        for index, (directorate, n) in enumerate(zip(DIRECTORATES, counts)):
            directorate_id = self._unit(directorate.name, UnitKind.DIRECTORATE, self.trust_id)
            self.directorate_ids.append(directorate_id)
            office_id = self._unit(f"{directorate.name} Directorate Office", UnitKind.TEAM, directorate_id)
            self.office_ids.append(office_id)
            self.teams.append({"id": office_id, "profile": "office", "directorate": index, "office": True,
                               "factor": rng.uniform(0.75, 1.15)})
            if directorate.care_groups:
                split = _apportion(n, [w for _, w, _ in directorate.care_groups], [1] * len(directorate.care_groups))
                placements = [(self._unit(name, UnitKind.CARE_GROUP, directorate_id), group, k)
                              for (name, _, group), k in zip(directorate.care_groups, split)]
            else:
                placements = [(directorate_id, group, n) for group in directorate.groups]
            for parent_id, group, k in placements:
                for name, profile in _team_names(group, k, ward_numbers):
                    team_id = self._unit(name, UnitKind.TEAM, parent_id)
                    self.team_by_name.setdefault(name, team_id)
                    self.teams.append({"id": team_id, "profile": profile, "directorate": index, "office": False,
                                       "factor": rng.uniform(0.7, 1.2)})
        self.team_of = {team["id"]: team for team in self.teams}

    # -- people

    def _name(self) -> tuple[str, str]:
        return self.rng.choice(FIRST_NAMES), self.rng.choice(SURNAMES)

    def _add_person(self, *, group: StaffGroup, title: str, tier: int, team_id: int, line_manager_id: int | None,
                    email: str | None = None, name: str | None = None, roles=(), scope=(), active: bool = True) -> _Person:
        person_id = self.next_person_id
        self.next_person_id += 1
        self.serial += 1
        if name is None:
            first, last = self._name()
            name = f"{first} {last}"
            email = f"{_slug(first)}.{_slug(last)}.{self.serial}@example.org"
        joined = self.years[0].starts_on - timedelta(days=self.rng.randint(30, 3650))
        self.people.append({
            "id": person_id, "employee_number": f"{next(self.employee_numbers)}", "email": email, "name": name,
            "job_title": title, "staff_group": group, "tier": tier, "team_id": team_id,
            "line_manager_id": line_manager_id, "password_hash": self.password_hash, "active": active,
            "session_token": secrets.token_urlsafe(24),
            "created_at": datetime.combine(joined, time(9), tzinfo=UTC),
        })
        for role in roles:
            self.roles.append({"person_id": person_id, "role": role})
        for unit_id in scope:
            self.scopes.append({"person_id": person_id, "unit_id": unit_id})
        person = _Person(person_id, tier, group, team_id, line_manager_id, active, email)
        self.by_email[email] = person
        return person

    def _build_people(self) -> None:
        rng = self.rng
        ward7 = self.team_by_name["Ward 7 (Oncology)"]
        learning = self.team_by_name["Learning and Development"]
        it = self.team_by_name["Information Technology"]
        cancer_index = next(i for i, d in enumerate(DIRECTORATES) if d.name == "Cancer Services")

        # The executive office, then a senior manager per directorate, then a manager per team,
        # so every line manager's id is lower than their reports' (self-referencing FK order).
        executives = {}
        ceo_id = None
        for key, group, title, tier in EXECUTIVES:
            scope = (self.exec_team_id,) if key == "ceo" else (self.trust_id,) if key in TRUST_WIDE else ()
            person = self._add_person(group=group, title=title, tier=tier, team_id=self.exec_team_id,
                                      line_manager_id=ceo_id, roles=(Role.MANAGER,) if scope else (), scope=scope)
            if key == "ceo":
                ceo_id = person.id
            executives[key] = person
        self.members: list[_Person] = list(executives.values())

        seniors: list[_Person] = []
        for index, directorate in enumerate(DIRECTORATES):
            group, title = directorate.senior
            boss = executives["don"] if group == NM else executives["coo"]
            kwargs = dict(group=group, title=title, tier=3, team_id=self.office_ids[index], line_manager_id=boss.id,
                          roles=(Role.MANAGER,), scope=(self.directorate_ids[index],))
            if index == cancer_index:
                kwargs.update(email="director@example.org", name="Helen Okafor")
            seniors.append(self._add_person(**kwargs))
        self.members.extend(seniors)

        managers: dict[int, _Person] = {}
        for team in self.teams:
            senior = seniors[team["directorate"]]
            if team["office"]:
                managers[team["id"]] = senior  # the senior manager runs their own office
                continue
            group, title = PROFILES[team["profile"]].manager
            kwargs = dict(group=group, title=title, tier=3, team_id=team["id"], line_manager_id=senior.id,
                          roles=(Role.MANAGER,), scope=(team["id"],))
            if team["id"] == ward7:
                kwargs.update(email="manager@example.org", name="Jo Bennett")
            managers[team["id"]] = self._add_person(**kwargs)
        self.members.extend(m for t, m in managers.items() if not self.team_of[t]["office"])

        # Everyone else, spread over the teams by size.
        fixed = len(self.people)
        remaining = self.staff - fixed
        if remaining < len(self.teams):
            raise ValueError(f"staff must be at least {fixed + len(self.teams)} for {len(self.teams)} teams")
        sizes = _apportion(remaining, [PROFILES[t["profile"]].size * rng.uniform(0.7, 1.3) for t in self.teams],
                           [1] * len(self.teams))
        named = {
            ward7: [dict(email="staff@example.org", name="Priya Shah", group=NM, title="Staff nurse", tier=2)],
            learning: [dict(email="lead@example.org", name="Ruth Adeyemi", group=AC, title="Education lead", tier=3,
                            roles=(Role.EDUCATION_LEAD,))],
            it: [dict(email="admin@example.org", name="Tom Fletcher", group=AC, title="Clinical systems administrator",
                      tier=1, roles=(Role.ADMIN,))],
        }
        generated: list[_Person] = []
        for team, size in zip(self.teams, sizes):
            manager = managers[team["id"]]
            jobs = PROFILES[team["profile"]].jobs
            keys = [k for k, _ in jobs]
            weights = [w for _, w in jobs]
            for slot in range(size):
                fixed_person = named.get(team["id"], [])
                if slot < len(fixed_person):
                    spec = fixed_person[slot]
                    self.members.append(self._add_person(
                        group=spec["group"], title=spec["title"], tier=spec["tier"], team_id=team["id"],
                        line_manager_id=manager.id, email=spec["email"], name=spec["name"],
                        roles=spec.get("roles", ())))
                    continue
                group, title, tier = JOBS[rng.choices(keys, weights)[0]]
                person = self._add_person(group=group, title=title, tier=tier, team_id=team["id"],
                                          line_manager_id=manager.id)
                generated.append(person)
        self.members.extend(generated)
        # A few people have left: their accounts stay (with their history) but cannot sign in.
        row_of = {row["id"]: row for row in self.people}
        for leaver in rng.sample(generated, max(2, round(len(generated) * 0.015))):
            leaver.active = False
            row_of[leaver.id]["active"] = False
        self._cover_every_staff_group(generated)

    def _cover_every_staff_group(self, generated: list[_Person]) -> None:
        """Small organisations can miss a staff group by chance; give a few people one of its jobs."""
        row_of = {row["id"]: row for row in self.people}
        present = {row["staff_group"] for row in self.people}
        for group in StaffGroup:
            if group in present:
                continue
            jobs = [job for job in JOBS.values() if job[0] == group]
            for person in self.rng.sample(generated, min(2, len(generated))):
                _, title, tier = self.rng.choice(jobs)
                row = row_of[person.id]
                row.update(staff_group=group, job_title=title, tier=tier)
                person.staff_group, person.tier = group, tier
            present.add(group)

    # -- exemptions

    def _build_exemptions(self) -> list[dict]:
        rng = self.rng
        named = {a for a, _ in DEMO_ACCOUNTS}
        candidates = [p for p in self.members if p.email not in named and p.active]
        chosen = rng.sample(candidates, max(1, round(len(candidates) * 0.03)))
        chosen.sort(key=lambda p: p.id)
        reasons = list(ExemptionReason)
        weights = {ExemptionReason.LONG_TERM_ABSENCE: 30, ExemptionReason.PARENTAL_LEAVE: 30,
                   ExemptionReason.NEW_STARTER: 20, ExemptionReason.SECONDMENT: 12, ExemptionReason.OTHER: 8}
        rows = []
        for person in chosen:
            reason = rng.choices(reasons, [weights[r] for r in reasons])[0]
            past = len(self.years) > 1 and reason != ExemptionReason.NEW_STARTER and rng.random() < 0.3
            if past:
                year = rng.choice(self.years[:-1])
                # Covers the end of that year, so the year closes as exempt rather than overdue.
                starts = year.ends_on - timedelta(days=rng.randint(30, 200))
                ends = min(year.ends_on + timedelta(days=rng.randint(0, 120)), self.today - timedelta(days=1))
            else:
                year = self.current
                if reason == ExemptionReason.NEW_STARTER:
                    starts = max(self.today - timedelta(days=rng.randint(5, 90)), year.starts_on)
                    ends = starts + timedelta(days=rng.choice((90, 180)))
                    person.new_starter_year = year
                else:
                    starts = self.today - timedelta(days=rng.randint(14, 200))
                    ends = self.today + timedelta(days=rng.randint(30, 300))
            if ends < self.today and not past:
                ends = self.today
            person.exempt_year = year
            rows.append({
                "id": self.next_exemption_id, "person_id": person.id, "reason": reason,
                "reason_detail": rng.choice(OTHER_EXEMPTION_DETAILS) if reason == ExemptionReason.OTHER else "",
                "starts_on": starts, "ends_on": ends, "recorded_by_id": person.line_manager_id,
                "created_at": datetime.combine(min(starts, self.today), time(10), tzinfo=UTC),
            })
            self.next_exemption_id += 1
        return rows

    # -- activities

    def _build_activities(self) -> tuple[list[dict], list[dict]]:
        activities: list[dict] = []
        links: list[dict] = []
        for person in self.members:
            if person.email == "staff@example.org":
                plans = self._named_staff_plans()
            else:
                plans = {year: self._plan(person, year) for year in self.years}
            for year in self.years:
                for spec in plans.get(year, []):
                    self._write_activity(person, year, spec, activities, links)
        return activities, links

    def _plan(self, person: _Person, year: AppraisalYear) -> list[_Spec]:
        rng = self.rng
        rule = self.rules[person.tier]
        # Some teams do better than others, so dashboards show green, amber and red.
        factor = self.team_of[person.team_id]["factor"] if person.team_id in self.team_of else 1.0
        if person.new_starter_year is not None and year.start_year <= person.new_starter_year.start_year:
            return [] if year != self.current or rng.random() < 0.6 else self._in_progress(person, rule, current=True)
        if year == self.current:
            if not person.active:
                return []
            if person.exempt_year == year:
                return [] if rng.random() < 0.5 else self._in_progress(person, rule, current=True)
            elapsed = self._fraction_of_year(year)
            roll = rng.random()
            p_complete = min(0.9, 0.62 * elapsed * factor)
            p_awaiting = 0.13 * min(1.0, 2 * elapsed)
            p_progress = 0.30
            if roll < p_complete:
                return self._complete(person, rule, current=True)
            if roll < p_complete + p_awaiting:
                return self._awaiting(person, rule)
            if roll < p_complete + p_awaiting + p_progress:
                return self._in_progress(person, rule, current=True)
            return []
        if person.exempt_year == year:
            return [] if rng.random() < 0.5 else self._in_progress(person, rule, current=False)
        if rng.random() < min(0.97, 0.86 * factor):
            return self._complete(person, rule, current=False)
        return self._in_progress(person, rule, current=False)

    def _fraction_of_year(self, year: AppraisalYear) -> float:
        days = (year.ends_on - year.starts_on).days + 1
        return min(1.0, ((self.today - year.starts_on).days + 1) / days)

    def _complete(self, person: _Person, rule: Rule, current: bool) -> list[_Spec]:
        """Signed-off experiential activities that meet the rule, plus now and then something else."""
        rng = self.rng
        pool = self.tier_behaviours[person.tier]
        chosen = rng.sample(pool, min(len(pool), rule.min_behaviours + rng.randint(0, 2)))
        if rule.needs_leadership_behaviour and not any(b in self.leadership for b in chosen):
            options = [b for b in self.tier_leadership[person.tier] if b not in chosen]
            if options:
                chosen[0] = rng.choice(options)
        k = max(rule.min_experiential_activities, 1, math.ceil(len(chosen) / 4)) + (rng.random() < 0.3)
        groups = [chosen[i::k] for i in range(k)]
        specs = []
        for group in groups:
            behaviours = list(group) or [rng.choice(chosen or pool)]
            if len(behaviours) < 4 and rng.random() < 0.25:
                extra = rng.choice(pool)
                if extra not in behaviours:
                    behaviours.append(extra)
            specs.append(_Spec(True, ActivityStatus.SIGNED_OFF, behaviours, rng.choice(DURATIONS)))
        _top_up_minutes(specs, int(rule.min_hours * 60))
        specs.extend(self._extras(person, current))
        return specs

    def _awaiting(self, person: _Person, rule: Rule) -> list[_Spec]:
        """As complete, but the last ones are still waiting for the manager."""
        specs = self._complete(person, rule, current=True)
        experiential = [s for s in specs if s.experiential]
        for index, spec in enumerate(experiential):
            if index >= rule.min_experiential_activities - 1:
                spec.status = ActivityStatus.SUBMITTED
        return specs

    def _in_progress(self, person: _Person, rule: Rule, current: bool) -> list[_Spec]:
        """Some activity that does not (yet) meet the rule, even with pending sign-offs."""
        rng = self.rng
        pool = self.tier_behaviours[person.tier]
        if current:
            statuses = (ActivityStatus.DRAFT, ActivityStatus.RETURNED, ActivityStatus.SIGNED_OFF, ActivityStatus.SUBMITTED)
            weights = (4, 2, 3, 2)
        else:
            statuses = (ActivityStatus.SIGNED_OFF, ActivityStatus.DRAFT, ActivityStatus.RETURNED, ActivityStatus.SUBMITTED)
            weights = (6, 2, 1, 1)
        n = rng.randint(0 if not current else 1, max(1, rule.min_experiential_activities))
        specs = [
            _Spec(True, rng.choices(statuses, weights)[0], rng.sample(pool, rng.randint(1, min(3, len(pool)))),
                  rng.choice(DURATIONS))
            for _ in range(n)
        ]
        specs.extend(self._extras(person, current))
        if current and not specs:
            specs.append(_Spec(True, ActivityStatus.DRAFT, [rng.choice(pool)], rng.choice(DURATIONS)))
        counted = (ActivityStatus.SIGNED_OFF, ActivityStatus.SUBMITTED) if current else (ActivityStatus.SIGNED_OFF,)
        while meets(rule, self._counts(specs, counted)):
            spec = next(s for s in reversed(specs) if s.experiential and s.status in counted)
            spec.status = ActivityStatus.DRAFT if current else ActivityStatus.RETURNED
        return specs

    def _extras(self, person: _Person, current: bool) -> list[_Spec]:
        """Now and then an e-learning module, some reading or a lecture: logged, not counted."""
        rng = self.rng
        if not self.other_weights or rng.random() >= 0.25:
            return []
        pool = self.tier_behaviours[person.tier]
        status = (rng.choice((ActivityStatus.DRAFT, ActivityStatus.SUBMITTED, ActivityStatus.SIGNED_OFF))
                  if current else ActivityStatus.SIGNED_OFF)
        return [_Spec(False, status, rng.sample(pool, rng.randint(1, 2)), rng.choice((30, 45, 60, 90, 120)))]

    def _counts(self, specs: list[_Spec], statuses) -> Counts:
        counted = [s for s in specs if s.experiential and s.status in statuses]
        behaviours = {b for s in counted for b in s.behaviours}
        return Counts(len(counted), sum(s.minutes for s in counted), len(behaviours),
                      any(b in self.leadership for b in behaviours))

    def _named_staff_plans(self) -> dict[AppraisalYear, list[_Spec]]:
        """staff@example.org: complete in earlier years; this year one signed off, one returned, one draft."""
        person = self.by_email["staff@example.org"]
        code = self._behaviour_codes(person.tier)
        plans: dict[AppraisalYear, list[_Spec]] = {}
        for year in self.years[:-2]:
            plans[year] = self._complete(person, self.rules[person.tier], current=False)
        if len(self.years) > 1:
            plans[self.years[-2]] = [
                _Spec(True, ActivityStatus.SIGNED_OFF, code("2.2", "2.4", "3.1", "3.2"), 180,
                      type_code="workshop_with_practice", course_code="sage-thyme-foundation", when=0.3),
                _Spec(True, ActivityStatus.SIGNED_OFF, code("1.4", "2.5"), 60, type_code="team_debrief",
                      title="Team debrief after an unexpected death on the ward", when=0.7),
            ]
        plans[self.current] = [
            _Spec(True, ActivityStatus.SIGNED_OFF, code("2.2", "2.4", "3.2"), 90, type_code="observed_practice_feedback",
                  title="Observed practice: explaining a chemotherapy delay", when=0.25),
            _Spec(True, ActivityStatus.RETURNED, code("4.1", "4.3"), 60, type_code="reflective_case_review",
                  title="Case review: supporting a patient after a new diagnosis", when=0.6,
                  feedback="Thank you. Please say what you will do differently next time before I sign this off."),
            _Spec(True, ActivityStatus.DRAFT, code("1.2"), 60, type_code="schwartz_round",
                  title="Schwartz round: The patient I'll never forget", when=0.9),
        ]
        return plans

    def _behaviour_codes(self, tier: int):
        pool = self.tier_behaviours[tier]

        def code(*codes: str) -> list[int]:
            ids = [self.behaviour_by_code[c] for c in codes if self.behaviour_by_code.get(c) in pool]
            return ids or self.rng.sample(pool, min(len(codes), len(pool)))

        return code

    def _write_activity(self, person: _Person, year: AppraisalYear, spec: _Spec,
                        activities: list[dict], links: list[dict]) -> None:
        rng = self.rng
        last_day = min(year.ends_on, self.today)
        span = (last_day - year.starts_on).days
        fraction = spec.when if spec.when is not None else rng.random()
        occurred = year.starts_on + timedelta(days=round(span * fraction))

        type_code = spec.type_code or self._pick_type(person, spec.experiential)
        if spec.course_code:
            course = self.courses.get(spec.course_code)
        else:
            course = self._pick_course(type_code, spec.behaviours)
        topic = rng.choice(TOPICS[person.tier] if rng.random() < 0.7 else TOPICS[max(1, person.tier - 1)])
        # The behaviours are the plan's own, so the person's status comes out as planned.
        behaviours = spec.behaviours
        minutes = spec.minutes
        if course is not None:
            title = course["title"]
            if course["minutes"] and not spec.experiential:
                minutes = min(480, max(30, course["minutes"]))
        else:
            title = spec.title or self._title(type_code, topic)
        model = rng.choices(list(REFLECTION_KEYS), (5, 3, 3 if person.staff_group in REVALIDATING else 0))[0]
        reflection = {key: self._sentences(key, topic) for key in REFLECTION_KEYS[model]}

        created = datetime.combine(occurred, time(9), tzinfo=UTC) + timedelta(minutes=rng.randint(0, 540))
        submitted = decided = None
        decided_by = None
        feedback = None
        if spec.status != ActivityStatus.DRAFT:
            submitted = created + timedelta(days=rng.randint(0, 10), minutes=rng.randint(10, 120))
            if submitted.date() > self.today:
                submitted = created + timedelta(minutes=rng.randint(10, 60))
        if spec.status in (ActivityStatus.SIGNED_OFF, ActivityStatus.RETURNED):
            decided = submitted + timedelta(days=rng.randint(0, 14), minutes=rng.randint(30, 300))
            if decided.date() > self.today:
                decided = submitted + timedelta(minutes=rng.randint(5, 60))
            decided_by = person.line_manager_id
        if spec.status == ActivityStatus.RETURNED:
            feedback = spec.feedback or rng.choice(FEEDBACK)
        activity_id = self.next_activity_id
        self.next_activity_id += 1
        activities.append({
            "id": activity_id, "owner_id": person.id, "occurred_on": occurred, "title": title[:200],
            "type_id": self.type_ids[type_code], "duration_minutes": minutes,
            "course_id": course["id"] if course else None, "reflection_model": model, "reflection": reflection,
            "manager_may_read": rng.random() < 0.6, "status": spec.status, "submitted_at": submitted,
            "decided_by_id": decided_by, "decided_at": decided, "feedback": feedback, "deleted_at": None,
            "created_at": created, "updated_at": decided or submitted or created,
        })
        for behaviour_id in behaviours:
            links.append({"activity_id": activity_id, "behaviour_id": behaviour_id})

    def _pick_type(self, person: _Person, experiential: bool) -> str:
        weights = self.exp_weights if experiential or not self.other_weights else self.other_weights
        codes = [c for c in weights if not (c == "clinical_supervision" and person.staff_group in NON_CLINICAL)]
        return self.rng.choices(codes, [weights[c] for c in codes])[0]

    def _pick_course(self, type_code: str, behaviours: list[int]) -> dict | None:
        """Sometimes a catalogue course of the right kind that covers a behaviour the activity evidences."""
        rng = self.rng
        if type_code in ("workshop_with_practice", "simulation_role_play") and rng.random() < 0.5:
            wanted = True
        elif type_code in ("e_learning", "lecture_conference") and rng.random() < 0.6:
            wanted = False
        else:
            return None
        options = [c for c in self.courses.values()
                   if c["experiential"] == wanted and (type_code != "e_learning" or c["format"] == "e-learning")
                   and any(b in c["behaviours"] for b in behaviours)]
        return rng.choice(options) if options else None

    def _title(self, type_code: str, topic: str) -> str:
        rng = self.rng
        template = rng.choice(TITLE_TEMPLATES.get(type_code, ("{topic}",)))
        title = template.format(topic=topic, event=rng.choice(DEBRIEF_EVENTS), theme=rng.choice(SCHWARTZ_THEMES),
                                shadow=rng.choice(SHADOWING))
        return title[0].upper() + title[1:]

    def _sentences(self, key: str, topic: str) -> str:
        options = SENTENCES[key]
        picked = self.rng.sample(options, self.rng.randint(1, min(2, len(options))))
        return " ".join(s.format(topic=topic) for s in picked)


# --- Helpers -----------------------------------------------------------------------------------------

def _next_id(model) -> int:
    return (db.session.scalar(select(func.max(model.id))) or 0) + 1


def _slug(word: str) -> str:
    return re.sub(r"[^a-z]", "", word.lower())


def _apportion(total: int, weights: list[float], minimums: list[int]) -> list[int]:
    """Split `total` in proportion to `weights`, giving each at least its minimum (largest remainder)."""
    counts = list(minimums)
    spare = total - sum(counts)
    if spare <= 0:
        return counts
    weight_sum = sum(weights)
    targets = [total * w / weight_sum for w in weights]
    extra = [max(0.0, t - c) for t, c in zip(targets, counts)]
    extra_sum = sum(extra) or 1.0
    shares = [spare * e / extra_sum for e in extra]
    floors = [int(s) for s in shares]
    counts = [c + f for c, f in zip(counts, floors)]
    left = spare - sum(floors)
    order = sorted(range(len(weights)), key=lambda i: (-(shares[i] - floors[i]), i))
    for i in order[:left]:
        counts[i] += 1
    return counts


def _team_names(group: Group, n: int, ward_numbers) -> list[tuple[str, str]]:
    """The first n teams of a group: its named teams, then numbered wards and the same services at other sites."""
    names = list(group.teams[:n])
    makes_wards = bool(group.ward_profile and group.ward_specialties)
    # A numbered ward is not repeated at another site: new wards get new numbers instead.
    services = [t for t in group.teams if not (makes_wards and t[0].startswith("Ward "))] or list(group.teams)
    base_index, spec_index = 0, 0
    while len(names) < n:
        if makes_wards and len(names) % 2 == 0:
            specialty = group.ward_specialties[spec_index % len(group.ward_specialties)]
            spec_index += 1
            names.append((f"Ward {next(ward_numbers)} ({specialty})", group.ward_profile))
            continue
        name, profile = services[base_index % len(services)]
        round_ = base_index // len(services)
        site = SITES[round_ % len(SITES)]
        suffix = f", {site}" if round_ < len(SITES) else f", {site} ({round_ // len(SITES) + 1})"
        names.append((f"{name}{suffix}", profile))
        base_index += 1
    return names


def _top_up_minutes(specs: list[_Spec], needed: int) -> None:
    """Lengthen (up to 8 hours each) until the activities add up to the hours the rule needs."""
    while sum(s.minutes for s in specs) < needed:
        shortest = min(specs, key=lambda s: s.minutes)
        if shortest.minutes >= 480:
            specs.append(_Spec(True, specs[0].status, list(specs[0].behaviours[:1]), 60))
            continue
        shortest.minutes = min(480, shortest.minutes + 60)
