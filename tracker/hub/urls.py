"""Web addresses the catalogue and library accept: absolute http and https only."""
from __future__ import annotations

import re
from urllib.parse import urlsplit

from tracker.refusal import Refused

URL_MAX = 1000

_CONTROL = re.compile(r"[\x00-\x20\x7f]")


def url_problem(value: str | None, *, required: bool = True) -> str | None:
    """What is wrong with a web address, or None. Only absolute http and https addresses pass:
    no javascript:, data: or other schemes, no relative paths, no spaces."""
    url = (value or "").strip()
    if not url:
        return "Enter a web address" if required else None
    if len(url) > URL_MAX:
        return f"Web address must be {URL_MAX} characters or fewer"
    if _CONTROL.search(url):
        return "Web address must not contain spaces"
    try:
        parts = urlsplit(url)
        hostname = parts.hostname
        parts.port  # noqa: B018  (raises on a port that is not a number)
    except ValueError:
        return "Enter a real web address, like https://www.example.org/page"
    if parts.scheme.lower() not in ("http", "https"):
        return "Web address must start with https:// or http://"
    if not hostname or ("." not in hostname and hostname != "localhost"):
        return "Enter a real web address, like https://www.example.org/page"
    return None


def clean_url(value: str | None, *, required: bool = True) -> str:
    """The address trimmed, or Refused with the message for the "url" field."""
    problem = url_problem(value, required=required)
    if problem:
        raise Refused({"url": problem})
    return (value or "").strip()
