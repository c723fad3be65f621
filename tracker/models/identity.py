"""A person's account at an organisation's identity provider, linked at their first single sign-on."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, String, UniqueConstraint, false
from sqlalchemy.orm import Mapped, mapped_column

from tracker.extensions import db
from tracker.models._types import TZDateTime, utcnow


class PersonIdentity(db.Model):
    """The provider's stable subject (`sub`) for one person. Once linked, the person is found by it,
    never again by e-mail: an address changed at the provider cannot reach another account."""

    __tablename__ = "person_identity"
    __table_args__ = (UniqueConstraint("provider", "subject"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    # The provider's issuer URL: its slug or display name may change, the issuer names the accounts.
    provider: Mapped[str] = mapped_column(String(300))
    subject: Mapped[str] = mapped_column(String(255))
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id"), index=True)
    linked_at: Mapped[datetime] = mapped_column(TZDateTime, default=utcnow)
    # The sign-in made the person (OIDC_CREATE_FOR_DOMAINS): the admin gives them a team, staff
    # group and tier; until then they stay on the organisation's top unit, listed on People.
    made_the_person: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
