"""Importing staff from the workforce system's extract (ESR "staff in post", CSV or XLSX).

reading.py reads a file within limits; headers.py knows the usual headings and remembers the
admin's mapping; staff_groups.py spells staff groups and gives tiers; rows.py checks one row;
plan.py turns a file into a preview plan; apply.py writes a plan in one transaction; keeping.py
keeps an upload between the preview and "Apply import". The page (tracker/admin/staff_import.py)
and `flask people import` run the same code.
"""
from tracker.staff_import.apply import APPLIED, Applied, apply_plan
from tracker.staff_import.plan import Options, Plan, build
from tracker.staff_import.reading import StaffFileError

__all__ = ["APPLIED", "Applied", "Options", "Plan", "StaffFileError", "apply_plan", "build"]
