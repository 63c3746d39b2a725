"""Outgoing email: through the SMTP server of the settings, or, in development without one,
to the log and a file under var/mail/ (so invitation and reset links can be followed)."""

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
    """The message could not be handed to the mail server."""


@dataclass(frozen=True)
class Mail:
    to: str
    subject: str
    body: str
    language: str = "en"


def build(settings: Settings, mail: Mail) -> EmailMessage:
    message = EmailMessage()
    message["From"] = settings.smtp_from
    message["To"] = mail.to
    message["Subject"] = mail.subject
    message["Date"] = format_datetime(utcnow())
    message["Message-ID"] = make_msgid(domain=settings.smtp_from.rpartition("@")[2] or None)
    message["Auto-Submitted"] = "auto-generated"
    message.set_content(mail.body)
    message["Content-Language"] = mail.language  # after set_content, which drops Content-*
    return message


def send(settings: Settings, mail: Mail) -> None:
    """Deliver one message; raises MailError when the server refuses or cannot be reached."""
    message = build(settings, mail)
    if not settings.smtp_host:
        if settings.is_production:
            raise MailError("COUNCIL_SMTP_HOST is not set: email cannot be delivered.")
        _write_to_file(settings, message)
        return
    try:
        if settings.smtp_port == 465:
            server = smtplib.SMTP_SSL(settings.smtp_host, settings.smtp_port,
                                      timeout=SMTP_TIMEOUT_SECONDS,
                                      context=ssl.create_default_context())
        else:
            server = smtplib.SMTP(settings.smtp_host, settings.smtp_port,
                                  timeout=SMTP_TIMEOUT_SECONDS)
        with server:
            if settings.smtp_starttls and settings.smtp_port != 465:
                server.starttls(context=ssl.create_default_context())
            if settings.smtp_user:
                server.login(settings.smtp_user, settings.smtp_password)
            server.send_message(message)
    except (OSError, smtplib.SMTPException) as error:
        log.error("could not send %r to %s through %s:%s: %s", mail.subject, mail.to,
                  settings.smtp_host, settings.smtp_port, error)
        raise MailError(str(error)) from error
    log.info("sent %r to %s", mail.subject, mail.to)


def _write_to_file(settings: Settings, message: EmailMessage) -> None:
    folder = settings.var_dir / "mail"
    folder.mkdir(parents=True, exist_ok=True)
    stamp = utcnow().strftime("%Y%m%dT%H%M%S%f")
    recipient = re.sub(r"[^a-zA-Z0-9.@-]+", "_", str(message["To"]))[:80]
    path = folder / f"{stamp}-{recipient}.eml"
    path.write_bytes(bytes(message))
    log.warning("no COUNCIL_SMTP_HOST: email to %s written to %s\n%s", message["To"], path,
                message.get_content())
