"""Queue emails as outbox rows inside the caller's transaction; run_due() sends them after commit."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from flask import render_template
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from portal.extensions import db
from portal.notifications.models import EmailStatus, OutboxAttachment, OutboxEmail


@dataclass(frozen=True)
class Attachment:
    filename: str
    content_type: str
    content: bytes
    calendar_method: str = ""  # "REQUEST" or "CANCEL" for a calendar invite


def queue_email(
    *,
    dedupe_key: str,
    to_addr: str,
    to_name: str = "",
    subject: str,
    template: str,
    context: dict,
    now: dt.datetime,
    send_after: dt.datetime | None = None,
    attachments: tuple[Attachment, ...] = (),
) -> OutboxEmail:
    """Queue one email; a second call with the same dedupe key queues nothing (an email is sent once)."""
    existing = db.session.scalar(select(OutboxEmail).where(OutboxEmail.dedupe_key == dedupe_key))
    if existing is not None:
        return existing
    ctx = dict(context, subject=subject, to_name=to_name)
    email = OutboxEmail(
        dedupe_key=dedupe_key,
        to_addr=to_addr,
        to_name=to_name,
        subject=subject,
        text_body=render_template(f"notifications/email/{template}.txt", **ctx),
        html_body=render_template(f"notifications/email/{template}.html", **ctx),
        status=EmailStatus.QUEUED,
        attempts=0,
        last_error="",
        created_at=now,
        send_after=send_after or now,
        meta={"template": template},
    )
    try:
        with db.session.begin_nested():
            db.session.add(email)
            db.session.flush()
            for a in attachments:
                db.session.add(OutboxAttachment(email_id=email.id, filename=a.filename, content_type=a.content_type,
                                                calendar_method=a.calendar_method, content=a.content))
            db.session.flush()
    except IntegrityError:
        # Another transaction queued the same email a moment ago: theirs stands.
        found = db.session.scalar(select(OutboxEmail).where(OutboxEmail.dedupe_key == dedupe_key))
        if found is None:
            raise
        return found
    return email
