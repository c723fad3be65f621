"""Real servers on 127.0.0.1 standing in for what lies outside the machine: an SMTP server
(aiosmtpd) that keeps what it receives, and GOV.UK Notify's API (a small http.server that checks
the JWT the official client signs and answers as Notify does). Plain helpers: the fixtures that
start them live in conftest files."""
from __future__ import annotations

import asyncio
import email
import email.policy
import json
import threading
import uuid
from dataclasses import dataclass, field
from http.server import ThreadingHTTPServer

import jwt
from aiosmtpd.controller import Controller

from tests.loopback import JsonHandler
from tests.support import free_port


class _Mailbox:
    """aiosmtpd's handler: keeps each message; answers refusals the test asks for."""

    def __init__(self):
        self.messages: list[email.message.EmailMessage] = []
        self.lock = threading.Lock()
        self.answers: list[str] = []  # answers to the next DATA commands, e.g. "451 4.3.0 Try later"
        self.refused_recipients: set[str] = set()
        # hold_next(): the next message is kept, then its answer waits until release is set.
        self.hold = False
        self.held = threading.Event()
        self.release = threading.Event()

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.refused_recipients:
            return "550 5.1.1 No such mailbox"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        with self.lock:
            if self.answers:
                return self.answers.pop(0)
            self.messages.append(email.message_from_bytes(envelope.content, policy=email.policy.default))
            hold, self.hold = self.hold, False
        if hold:  # the message is in; the sender never hears so (a worker killed mid-send)
            self.held.set()
            await asyncio.get_running_loop().run_in_executor(None, self.release.wait)
        return "250 Message accepted for delivery"


class LocalSmtp:
    """with LocalSmtp() as smtp: smtp.port, smtp.messages (parsed), smtp.answer_next("451 …")."""

    def __init__(self):
        self.mailbox = _Mailbox()
        self.port = free_port()
        self.controller = Controller(self.mailbox, hostname="127.0.0.1", port=self.port)

    def __enter__(self):
        self.controller.start()
        return self

    def __exit__(self, *exc):
        self.mailbox.release.set()
        self.controller.stop()

    @property
    def messages(self) -> list:
        with self.mailbox.lock:
            return list(self.mailbox.messages)

    def answer_next(self, *answers: str) -> None:
        self.mailbox.answers.extend(answers)

    def hold_next(self) -> None:
        """Keep the next message but leave its sender waiting for the answer (mailbox.held is set
        once it is in)."""
        self.mailbox.hold = True

    def refuse(self, address: str) -> None:
        self.mailbox.refused_recipients.add(address)

    def settings(self) -> dict:
        return {"MAIL_PROVIDER": "smtp", "SMTP_HOST": "127.0.0.1", "SMTP_PORT": self.port, "SMTP_STARTTLS": False,
                "SMTP_USERNAME": "", "MAIL_FROM": "tracker@tracker.test", "SMTP_TIMEOUT_SECONDS": 10}


@dataclass
class NotifyRequest:
    path: str
    claims: dict
    body: dict


@dataclass
class NotifyStandIn:
    """GOV.UK Notify's API as its client meets it: POST /v2/notifications/email with a bearer JWT
    signed (HS256) with the API key's secret, issued by the key's service id."""

    service_id: str = field(default_factory=lambda: str(uuid.uuid4()))
    secret: str = field(default_factory=lambda: str(uuid.uuid4()))
    received: list[NotifyRequest] = field(default_factory=list)
    refused: list[str] = field(default_factory=list)
    statuses: list[int] = field(default_factory=list)  # answers to the next good requests, e.g. [500]

    @property
    def api_key(self) -> str:
        return f"tracker_test-{self.service_id}-{self.secret}"

    def __enter__(self):
        stand_in = self

        class Handler(JsonHandler):

            def do_POST(self):
                body = json.loads(self.rfile.read(int(self.headers.get("Content-Length") or 0)) or b"{}")
                scheme, _, token = (self.headers.get("Authorization") or "").partition(" ")
                try:
                    claims = jwt.decode(token, stand_in.secret, algorithms=["HS256"], options={"require": ["iss", "iat"]})
                    assert scheme == "Bearer" and claims["iss"] == stand_in.service_id
                except (jwt.InvalidTokenError, AssertionError) as error:
                    stand_in.refused.append(repr(error))
                    return self._answer(403, {"status_code": 403, "errors": [
                        {"error": "AuthError", "message": "Invalid token: signature, api token not found"}]})
                if self.path != "/v2/notifications/email":
                    return self._answer(404, {"status_code": 404, "errors": [{"error": "NotFound", "message": "no"}]})
                status = stand_in.statuses.pop(0) if stand_in.statuses else 201
                if status != 201:
                    return self._answer(status, {"status_code": status, "errors": [
                        {"error": "BadRequestError" if status == 400 else "Exception", "message": "refused"}]})
                stand_in.received.append(NotifyRequest(self.path, claims, body))
                notification_id = str(uuid.uuid4())
                return self._answer(201, {
                    "id": notification_id, "reference": body.get("reference"),
                    "content": {"subject": "…", "body": "…", "from_email": "tracker@notifications.service.gov.uk"},
                    "uri": f"http://127.0.0.1/v2/notifications/{notification_id}",
                    "template": {"id": body.get("template_id"), "version": 1, "uri": "http://127.0.0.1/t"}})

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_port}"
