"""Outgoing email: through a real SMTP server on loopback, or to a file in development."""

from __future__ import annotations

import logging
import socket
from dataclasses import replace

import pytest

from council import mail
from tests.conftest import make_settings
from tests.mail_server import smtp_server, smtp_settings


def test_a_message_arrives_through_the_smtp_server(database_url, tmp_path):
    with smtp_server() as inbox:
        settings = make_settings(database_url, tmp_path, **smtp_settings(inbox))
        mail.send(
            settings,
            mail.Mail(
                to="nora@ministry.example",
                subject="Invitación",
                body="Hola Nora,\n\nbienvenida.\n",
                language="es",
            ),
        )
        (message,) = inbox.wait_for(1)
    assert message["To"] == "nora@ministry.example"
    assert message["X-Envelope-To"] == "nora@ministry.example"
    assert message["From"] == "secretariat@council.example"
    assert message["Subject"] == "Invitación"
    assert message["Content-Language"] == "es"
    assert message.get_content().replace("\r\n", "\n") == "Hola Nora,\n\nbienvenida.\n"
    assert not (tmp_path / "mail").exists()


def test_the_smtp_login_of_the_settings_is_used(database_url, tmp_path):
    with smtp_server(user="council", password="s3cret-pass") as inbox:
        settings = make_settings(database_url, tmp_path, **smtp_settings(inbox))
        mail.send(settings, mail.Mail(to="a@example.org", subject="Hi", body="Hello\n"))
        inbox.wait_for(1)
    assert inbox.logins == ["council"]


def test_an_unreachable_server_is_a_mail_error(database_url, tmp_path):
    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))
        port = closed.getsockname()[1]
    settings = make_settings(
        database_url, tmp_path, smtp_host="127.0.0.1", smtp_port=port, smtp_starttls=False
    )
    with pytest.raises(mail.MailError):
        mail.send(settings, mail.Mail(to="a@example.org", subject="Hi", body="Hello\n"))


def test_without_smtp_development_writes_the_message_to_var_and_the_log(
    database_url, tmp_path, caplog
):
    settings = make_settings(database_url, tmp_path)
    with caplog.at_level(logging.WARNING, logger="council.mail"):
        mail.send(
            settings,
            mail.Mail(to="a@example.org", subject="Reset", body="Open https://x.example/r/abc\n"),
        )
    (written,) = (tmp_path / "mail").glob("*.eml")
    assert b"Subject: Reset" in written.read_bytes()
    assert "https://x.example/r/abc" in caplog.text and str(written) in caplog.text


def test_production_without_smtp_refuses_instead_of_losing_the_message(database_url, tmp_path):
    settings = replace(make_settings(database_url, tmp_path), environment="production")
    with pytest.raises(mail.MailError):
        mail.send(settings, mail.Mail(to="a@example.org", subject="Hi", body="Hello\n"))
    assert not (tmp_path / "mail").exists()
