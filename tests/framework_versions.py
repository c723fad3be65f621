"""A second version of the shipped framework for tests of the framework of each year: behaviour 2.1
is renamed 2.6 by a map (new text), 3.1 is removed, 1.5 is added, and 4.1 now applies to tier 1 too."""
from __future__ import annotations

import copy
import json

from tracker.framework_import import read_file
from tracker.reference import DEFAULT_FRAMEWORK_FILE

NEW_VERSION = "2026"


def newer_version() -> dict:
    data = copy.deepcopy(read_file(DEFAULT_FRAMEWORK_FILE))
    data["version"] = NEW_VERSION
    subjects = {s["number"]: s for d in data["domains"] for s in d["subjects"]}
    values, core, step1, step2 = subjects[1], subjects[2], subjects[3], subjects[4]
    renamed = next(b for b in core["behaviours"] if b["code"] == "2.1")
    renamed.update(code="2.6", text="Listens to understand, and checks what was heard", replaces=["2.1"])
    step1["behaviours"] = [b for b in step1["behaviours"] if b["code"] != "3.1"]
    values["behaviours"].append({"code": "1.5", "text": "Speaks up when care is not person-centred", "tiers": [1, 2, 3]})
    next(b for b in step2["behaviours"] if b["code"] == "4.1")["tiers"] = [1, 2, 3]
    return data


def as_bytes(data: dict) -> bytes:
    return json.dumps(data).encode("utf-8")
