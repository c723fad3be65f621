"""One reading of a date typed as day, month and year (the NHS date input) for every form."""
from __future__ import annotations

from datetime import date

# A typed year outside these is a typing slip, not a date anyone means in this service.
EARLIEST_YEAR = 1900
LATEST_YEAR = 2200


def parse_date_parts(day: str, month: str, year: str, label: str) -> tuple[date | None, str | None]:
    """(the date, None), or (None, a message naming the field), or (None, None) when all blank."""
    parts = {"day": (day or "").strip()[:10], "month": (month or "").strip()[:10], "year": (year or "").strip()[:10]}
    if not any(parts.values()):
        return None, None
    missing = [name for name, value in parts.items() if not value]
    if missing:
        return None, f"{label} must include a {' and a '.join(missing)}"
    # Plain digits only: int() would also take "1_0", "+5" or other scripts' digits.
    if not all(value.isascii() and value.isdigit() for value in parts.values()):
        return None, f"{label} must be a real date, for example 27 3 2026"
    try:
        d, m, y = (int(parts[name]) for name in ("day", "month", "year"))
        if not EARLIEST_YEAR <= y <= LATEST_YEAR:
            raise ValueError
        return date(y, m, d), None
    except ValueError:
        return None, f"{label} must be a real date, for example 27 3 2026"
