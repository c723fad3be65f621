""""Forgotten your password?": a person asks for a link to set a new password. The answer is the
same whether or not the address names an account; the link (links.create_link, valid an hour,
single-use, only its hash stored) goes by e-mail through the outbox. Requests are limited per
typed address and per client address, in Flask-Limiter's storage as the sign-in limits are
(limit_counts.py). Nothing here commits."""
from __future__ import annotations

import math
from datetime import timedelta

from flask import current_app
from limits import parse_many
from sqlalchemy import select

from tracker import appraisal_year, limit_counts
from tracker.audit import client_address
from tracker.auth import links
from tracker.auth.services import email_hash, normalise_email
from tracker.durations import duration_text
from tracker.extensions import db
from tracker.models import Person

TOO_MANY = "You have asked for too many links. Wait {wait} and try again."


class ResetRequest:
    def __init__(self, email: str):
        self.now = appraisal_year.now()
        self.typed = normalise_email(email)
        config = current_app.config
        self.per_account = ("reset-account", email_hash(self.typed), parse_many(config["PASSWORD_RESET_LIMITS_PER_ACCOUNT"]))
        self.per_address = ("reset-address", client_address() or "unknown",
                            parse_many(config["PASSWORD_RESET_LIMITS_PER_ADDRESS"]))

    def _full(self, ladder) -> list[timedelta]:
        kind, key, limits = ladder
        return [timedelta(seconds=(bucket + 1) * window - self.now.timestamp())
                for limit, window, bucket, storage_key in limit_counts.windows(kind, key, limits, self.now)
                if limit_counts.count(storage_key) >= limit.amount]

    def refusal(self) -> str | None:
        """The message when this client address has asked too often, else None."""
        waits = self._full(self.per_address)
        if not waits:
            return None
        return TOO_MANY.format(wait=duration_text(max(1, math.ceil(max(waits).total_seconds() / 60))))

    def send(self) -> None:
        """Count the request; make and e-mail a link when the address is an active account's and
        that account has not had its share of links (then silently nothing: the answer is the same)."""
        account_full = bool(self._full(self.per_account))
        for kind, key, limits in (self.per_account, self.per_address):
            for _limit, window, _bucket, storage_key in limit_counts.windows(kind, key, limits, self.now):
                limit_counts.hit(storage_key, window)
        person = db.session.scalar(select(Person).where(Person.email == self.typed, Person.active.is_(True)))
        if person is None or account_full:
            return
        links.create_link(None, person, valid_for=links.RESET_VALID_FOR)  # links keep their own time
