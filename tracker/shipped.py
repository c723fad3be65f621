"""The files shipped with the tracker in tracker/data/. Its own module so that the reference-data
loader and the hub can both read them without importing each other."""
from __future__ import annotations

import json
from pathlib import Path

DATA_DIR = Path(__file__).resolve().parent / "data"


def shipped_text(name: str) -> str:
    return (DATA_DIR / name).read_text(encoding="utf-8")


def shipped_json(name: str) -> dict:
    return json.loads(shipped_text(name))
