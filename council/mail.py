"""Outgoing email: through the SMTP server of the settings, or, in development without one,
to the log and a file under var/mail/ (so invitation and reset links can be followed).

`send` delivers one message on a connection of its own; the outbox (council.outbox) keeps one
`Postman` for a batch, which reconnects after a failure."""

from __future__ import annotations

import logging
import re
import smtplib
import ssl
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid

from council.database import utcnow
from council.settings import Settings

log = logging.getLogger(__name__)
SMTP_TIMEOUT_SECONDS = 15


class MailError(Exception):
    """The message could not be handed to the mail server. `permanent` when the server
    refused it for good (a 5xx answer): trying again would not help."""

    def __init__(self, message: str, *, permanent: bool = False):
        super().__init__(message)
        self.permanent = permanent


@dataclass(frozen=True)
class Mail:
    to: str
    subject: str
    body: str
    language: str = "en"
    html: str = ""
    """An HTML alternative of `body`, when given."""
    message_id: str = ""
    """A fixed Message-ID (the outbox keeps one per message, the same on every attempt)."""
    headers: tuple[tuple[str, str], ...] = ()
    """More headers, e.g. List-Unsubscribe."""


def message_id(settings: Settings, key: str) -> str:
    """A Message-ID made of `key`, in the domain of the sender's address."""
    domain = settings.smtp_from.rpartition("@")[2] or "localhost"
    return f"<{key}@{domain}>"


def build(settings: Settings, mail: Mail) -> EmailMessage:
    message = EmailMessage()
    message["From"] = settings.smtp_from
    message["To"] = mail.to
    message["Subject"] = mail.subject
    message["Date"] = format_datetime(utcnow())
    message["Message-ID"] = mail.message_id or make_msgid(
        domain=settings.smtp_from.rpartition("@")[2] or None
    )
    message["Auto-Submitted"] = "auto-generated"
    for name, value in mail.headers:
        message[name] = value
    message.set_content(mail.body)
    if mail.html:
        message.add_alternative(mail.html, subtype="html")
    message["Content-Language"] = mail.language  # after set_content, which drops Content-*
    return message


def send(settings: Settings, mail: Mail) -> None:
    """Deliver one message; raises MailError when the server refuses or cannot be reached."""
    with Postman(settings) as postman:
        postman.send(mail)


class Postman:
    """Hands messages to the mail server over one connection, opened at the first message and
    again after a failure; in development without a server, writes them to var/mail/."""

    def __init__(self, settings: Settings):
        self.settings = settings
        self.server: smtplib.SMTP | None = None

    def __enter__(self) -> Postman:
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()

    def send(self, mail: Mail) -> None:
        settings = self.settings
        message = build(settings, mail)
        if not settings.smtp_host:
            if settings.is_production:
                raise MailError("COUNCIL_SMTP_HOST is not set: email cannot be delivered.")
            _write_to_file(settings, message)
            return
        try:
            if self.server is None:
                self.server = self._connect()
            self.server.send_message(message)
        except (OSError, smtplib.SMTPException) as error:
            log.error(
                "could not send %r to %s through %s:%s: %s",
                mail.subject,
                mail.to,
                settings.smtp_host,
                settings.smtp_port,
                error,
            )
            self.close()
            raise MailError(
                str(error) or type(error).__name__, permanent=_refused_for_good(error)
            ) from error
        log.info("sent %r to %s", mail.subject, mail.to)

    def _connect(self) -> smtplib.SMTP:
        settings = self.settings
        if settings.smtp_port == 465:
            server = smtplib.SMTP_SSL(
                settings.smtp_host,
                settings.smtp_port,
                timeout=SMTP_TIMEOUT_SECONDS,
                context=ssl.create_default_context(),
            )
        else:
            server = smtplib.SMTP(
                settings.smtp_host, settings.smtp_port, timeout=SMTP_TIMEOUT_SECONDS
            )
        try:
            if settings.smtp_starttls and settings.smtp_port != 465:
                server.starttls(context=ssl.create_default_context())
            if settings.smtp_user:
                server.login(settings.smtp_user, settings.smtp_password)
        except BaseException:
            server.close()
            raise
        return server

    def close(self) -> None:
        server, self.server = self.server, None
        if server is None:
            return
        try:
            server.quit()
        except (OSError, smtplib.SMTPException):
            server.close()


def _refused_for_good(error: Exception) -> bool:
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        return all(code >= 500 for code, _text in error.recipients.values())
    if isinstance(error, smtplib.SMTPAuthenticationError):
        return False  # a setting to fix: the messages wait for it
    return isinstance(error, smtplib.SMTPResponseException) and error.smtp_code >= 500


def _write_to_file(settings: Settings, message: EmailMessage) -> None:
    folder = settings.var_dir / "mail"
    folder.mkdir(parents=True, exist_ok=True)
    stamp = utcnow().strftime("%Y%m%dT%H%M%S%f")
    recipient = re.sub(r"[^a-zA-Z0-9.@-]+", "_", str(message["To"]))[:80]
    path = folder / f"{stamp}-{recipient}.eml"
    path.write_bytes(bytes(message))
    log.warning(
        "no COUNCIL_SMTP_HOST: email to %s written to %s\n%s",
        message["To"],
        path,
        message.get_content(),
    )
