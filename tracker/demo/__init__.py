"""Demonstration data: a made-up NHS trust with staff, managers and a few years of activity.

Everything comes from one seed, so the same arguments give the same organisation, people and
activities every time (only password salts and session tokens differ). The caller commits.

The made-up data is apart from the code that uses it: `workforce` (jobs, team profiles, names),
`trust` (directorates, teams, executives, demo accounts) and `wording` (topics, titles, reflection
sentences). The loader is split by what it builds: `reference` (what the framework and catalogue
offer), `organisation` (units and people), `exemptions`, `plans` (what each person did in a year),
`activities` (activity rows) and `loader` (`load_demo` and the bulk writer).
"""
from tracker.demo.loader import MIN_STAFF, DemoAlreadyLoaded, load_demo
from tracker.demo.trust import DEMO_ACCOUNTS, DEMO_PASSWORD

__all__ = ["DEMO_ACCOUNTS", "DEMO_PASSWORD", "MIN_STAFF", "DemoAlreadyLoaded", "load_demo"]
