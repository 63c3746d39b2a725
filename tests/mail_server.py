"""A real SMTP server (aiosmtpd) on loopback that keeps what it receives, for the mail tests."""

from __future__ import annotations

import asyncio
import re
import socket
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

LINK = re.compile(r"https?://\S+")


@dataclass
class Inbox:
    host: str
    port: int
    user: str = ""
    password: str = ""
    messages: list[EmailMessage] = field(default_factory=list)
    logins: list[str] = field(default_factory=list)
    refuse: int = 0
    """How many of the next messages to refuse for now (451), as a server that is unwell."""
    refusal: str = "451 4.3.0 Try again later"
    delay: float = 0.0
    """Seconds each message takes to accept, as a busy server."""

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd's name)
        if self.delay:
            await asyncio.sleep(self.delay)
        if self.refuse:
            self.refuse -= 1
            return self.refusal
        message = message_from_bytes(envelope.original_content, policy=policy.default)
        message["X-Envelope-To"] = ", ".join(envelope.rcpt_tos)
        self.messages.append(message)
        return "250 OK"

    def authenticate(self, server, session, envelope, mechanism, auth_data):
        ok = (
            isinstance(auth_data, LoginPassword)
            and auth_data.login.decode() == self.user
            and auth_data.password.decode() == self.password
        )
        if ok:
            self.logins.append(self.user)
        return AuthResult(success=ok)

    def wait_for(self, count: int = 1, timeout: float = 5) -> list[EmailMessage]:
        deadline = time.monotonic() + timeout
        while len(self.messages) < count and time.monotonic() < deadline:
            time.sleep(0.02)
        assert len(self.messages) >= count, f"{len(self.messages)} messages arrived"
        return self.messages

    def links_in(self, message: EmailMessage) -> list[str]:
        return LINK.findall(message.get_content())


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextmanager
def smtp_server(*, user: str = "", password: str = "") -> Iterator[Inbox]:
    inbox = Inbox("127.0.0.1", _free_port(), user=user, password=password)
    options = {"authenticator": inbox.authenticate, "auth_require_tls": False} if user else {}
    controller = Controller(inbox, hostname=inbox.host, port=inbox.port, **options)
    controller.start()
    try:
        yield inbox
    finally:
        controller.stop()


def smtp_settings(inbox: Inbox) -> dict:
    """Settings fields that send through `inbox` (plain SMTP on loopback, no STARTTLS)."""
    return {
        "smtp_host": inbox.host,
        "smtp_port": inbox.port,
        "smtp_starttls": False,
        "smtp_from": "secretariat@council.example",
        "smtp_user": inbox.user,
        "smtp_password": inbox.password,
    }
