"""The ways a message leaves the tracker, chosen by MAIL_PROVIDER: `smtp`, `notify` (GOV.UK
Notify's official client) or `log` (development: the message goes to the log). Each takes one
message with its stable message id and answers the provider's reference, or raises Temporary
(try again later) or Permanent (never)."""
from __future__ import annotations

import logging
import smtplib
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formatdate

import requests
from flask import current_app
from notifications_python_client.errors import APIError
from notifications_python_client.notifications import NotificationsAPIClient

from tracker.notifications.messages import message

log = logging.getLogger("tracker.notifications")
NAMES = ("smtp", "notify", "log")


class Temporary(Exception):
    """The provider could not take the message now; the sender tries again after a wait."""


class Permanent(Exception):
    """The provider will never take this message (a refused address, an unknown template)."""


@dataclass(frozen=True)
class Outgoing:
    kind: str
    address: str
    fields: dict
    message_id: str  # "<reference@domain>", the same on every try
    reference: str


def mail_domain() -> str:
    sender = current_app.config.get("MAIL_FROM") or "tracker@localhost"
    return sender.rpartition("@")[2] or "localhost"


class Channel:
    """One sender run's way to the provider: an SMTP connection is opened at the first message and
    kept for the rest of the run (a new one after any failure); Notify and the log need none."""

    def __init__(self):
        self.name = current_app.config.get("MAIL_PROVIDER", "log")
        self.smtp: smtplib.SMTP | None = None

    def send(self, outgoing: Outgoing) -> str:
        """Hand the message over: the provider's reference for it."""
        if self.name == "smtp":
            try:
                return _smtp(outgoing, self)
            except (Temporary, Permanent):
                self.close()
                raise
        return {"notify": _notify, "log": _log}[self.name](outgoing)

    def close(self) -> None:
        if self.smtp is not None:
            try:
                self.smtp.quit()
            except (OSError, smtplib.SMTPException):
                pass
            self.smtp = None

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


def _smtp_connection() -> smtplib.SMTP:
    config = current_app.config
    smtp = smtplib.SMTP(config["SMTP_HOST"], config["SMTP_PORT"], timeout=config["SMTP_TIMEOUT_SECONDS"])
    if config["SMTP_STARTTLS"]:
        smtp.starttls()
    if config.get("SMTP_USERNAME"):
        smtp.login(config["SMTP_USERNAME"], config.get("SMTP_PASSWORD") or "")
    return smtp


def _log(outgoing: Outgoing) -> str:
    text = message(outgoing.kind, outgoing.fields)
    log.info("E-mail to %s, Message-ID %s, subject %r:\n%s", outgoing.address, outgoing.message_id,
             text.subject, text.body)
    return outgoing.message_id


def _smtp(outgoing: Outgoing, channel: Channel) -> str:
    config = current_app.config
    text = message(outgoing.kind, outgoing.fields)
    mail = EmailMessage()
    mail["From"] = config["MAIL_FROM"]
    mail["To"] = outgoing.address
    mail["Subject"] = text.subject
    mail["Date"] = formatdate(localtime=False)
    mail["Message-ID"] = outgoing.message_id
    mail.set_content(text.body)
    try:
        if channel.smtp is None:
            channel.smtp = _smtp_connection()
        channel.smtp.send_message(mail)
    except smtplib.SMTPRecipientsRefused as error:
        codes = [code for code, _text in error.recipients.values()]
        if all(500 <= code < 600 for code in codes):
            raise Permanent(f"SMTP refused the recipient ({codes[0]})") from error
        raise Temporary(f"SMTP refused the recipient for now ({codes[0]})") from error
    except smtplib.SMTPResponseException as error:
        kind = Permanent if 500 <= error.smtp_code < 600 and error.smtp_code != 535 else Temporary
        raise kind(f"SMTP answered {error.smtp_code}") from error
    except (OSError, smtplib.SMTPException) as error:  # refused, timed out, dropped
        raise Temporary(f"SMTP server not reachable: {type(error).__name__}") from error
    return outgoing.message_id


def _notify(outgoing: Outgoing) -> str:
    config = current_app.config
    template_id = (config.get("NOTIFY_TEMPLATES") or {}).get(outgoing.kind)
    if not template_id:
        raise Permanent(f"no Notify template id is set for {outgoing.kind} (NOTIFY_TEMPLATE_{outgoing.kind.upper()})")
    client = NotificationsAPIClient(config["NOTIFY_API_KEY"], base_url=config["NOTIFY_BASE_URL"],
                                    timeout=config["SMTP_TIMEOUT_SECONDS"])
    try:
        answer = client.send_email_notification(email_address=outgoing.address, template_id=template_id,
                                                personalisation=dict(outgoing.fields), reference=outgoing.reference)
    except APIError as error:
        # Notify: 400 and 403 will not change on a retry; 429 and 5xx will (its "Retry" guidance).
        if error.status_code in (400, 403):
            raise Permanent(f"Notify answered {error.status_code}") from error
        raise Temporary(f"Notify answered {error.status_code}") from error
    except requests.RequestException as error:
        raise Temporary(f"Notify not reachable: {type(error).__name__}") from error
    return str(answer.get("id") or outgoing.reference)
