"""Turn an outbox row into a MIME message and hand it to SMTP (or to .eml files when none is set)."""
from __future__ import annotations

import smtplib
import ssl
from email.message import EmailMessage
from email.utils import formataddr, make_msgid
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

from portal.notifications.models import OutboxAttachment, OutboxEmail


def build_message(email: OutboxEmail, attachments: list[OutboxAttachment], sender: str) -> EmailMessage:
    """multipart/mixed( multipart/alternative(text, html[, text/calendar]), attachments... )."""
    msg = EmailMessage()
    msg["Subject"] = email.subject
    msg["From"] = sender
    msg["To"] = formataddr((email.to_name, email.to_addr)) if email.to_name else email.to_addr
    domain = sender.rsplit("@", 1)[-1].strip("> ") or "portal.local"
    msg["Message-ID"] = email.message_id or make_msgid(idstring=f"outbox{email.id}", domain=domain)
    msg.set_content(email.text_body)
    msg.add_alternative(email.html_body, subtype="html")
    for a in attachments:
        if a.calendar_method:
            # Inline alternative so Gmail/Outlook/Apple show accept/decline buttons.
            msg.add_alternative(a.content.decode(), subtype="calendar", params={"method": a.calendar_method})
    for a in attachments:
        maintype, _, subtype = a.content_type.partition("/")
        params = {"method": a.calendar_method} if a.calendar_method else {}
        msg.add_attachment(a.content, maintype=maintype, subtype=subtype or "octet-stream",
                           filename=a.filename, params=params)
    return msg


class SmtpTransport:
    """smtp://user:pass@host:port (STARTTLS when ?starttls=1), smtps://... for implicit TLS."""

    def __init__(self, url: str, timeout: float = 10.0):
        parts = urlsplit(url)
        if parts.scheme not in {"smtp", "smtps"} or not parts.hostname:
            raise ValueError("SMTP_URL must look like smtp://user:password@host:port")
        self.scheme = parts.scheme
        self.host = parts.hostname
        self.port = parts.port or (465 if parts.scheme == "smtps" else 25)
        self.username = unquote(parts.username) if parts.username else None
        self.password = unquote(parts.password) if parts.password else None
        self.starttls = parse_qs(parts.query).get("starttls", ["0"])[0] in {"1", "true"}
        self.timeout = timeout

    def send(self, msg: EmailMessage) -> None:
        if self.scheme == "smtps":
            client: smtplib.SMTP = smtplib.SMTP_SSL(self.host, self.port, timeout=self.timeout,
                                                    context=ssl.create_default_context())
        else:
            client = smtplib.SMTP(self.host, self.port, timeout=self.timeout)
        with client:
            if self.starttls:
                client.starttls(context=ssl.create_default_context())
            if self.username:
                client.login(self.username, self.password or "")
            client.send_message(msg)


class FileTransport:
    """Development mail: each message becomes an .eml file that /dev/mail lists."""

    def __init__(self, folder: str):
        self.folder = Path(folder)

    def send(self, msg: EmailMessage) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        name = msg["Message-ID"].strip("<>").replace("/", "_").replace("@", "_at_")
        (self.folder / f"{name}.eml").write_bytes(bytes(msg))


def transport_for(config) -> SmtpTransport | FileTransport:
    if config.get("SMTP_URL"):
        return SmtpTransport(config["SMTP_URL"])
    return FileTransport(config["MAIL_DIR"])
