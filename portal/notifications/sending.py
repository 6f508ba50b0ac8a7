"""Drain the outbox: claim due rows, send each, retry with backoff. Safe with several workers at once."""
from __future__ import annotations

import datetime as dt
import logging

from flask import current_app
from sqlalchemy import or_, select, update

from portal.extensions import db
from portal.notifications.models import EmailStatus, OutboxAttachment, OutboxEmail
from portal.notifications.transport import build_message, transport_for

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 8
CLAIM_FOR = dt.timedelta(minutes=5)
BATCH = 50


def backoff(attempts: int) -> dt.timedelta:
    """1, 2, 4, 8 ... minutes, at most 6 hours between tries."""
    return min(dt.timedelta(minutes=2 ** max(attempts - 1, 0)), dt.timedelta(hours=6))


def _due(now: dt.datetime):
    return or_(
        (OutboxEmail.status == EmailStatus.QUEUED) & (OutboxEmail.send_after <= now),
        # A worker that died mid-send left its claim behind; it expires.
        (OutboxEmail.status == EmailStatus.SENDING) & (OutboxEmail.claimed_until < now),
    )


def claim_due(now: dt.datetime, limit: int = BATCH) -> list[int]:
    """Mark up to `limit` due emails as ours. Each claim is a conditional UPDATE, so two workers never share one."""
    query = select(OutboxEmail.id).where(_due(now)).order_by(OutboxEmail.send_after, OutboxEmail.id).limit(limit)
    if db.engine.dialect.name == "postgresql":
        query = query.with_for_update(skip_locked=True)
    ids = list(db.session.scalars(query))
    claimed = []
    for email_id in ids:
        result = db.session.execute(
            update(OutboxEmail)
            .where(OutboxEmail.id == email_id, _due(now))
            .values(status=EmailStatus.SENDING, claimed_until=now + CLAIM_FOR)
        )
        if result.rowcount == 1:
            claimed.append(email_id)
    db.session.commit()
    return claimed


def send_claimed(email_id: int, now: dt.datetime, transport) -> bool:
    email = db.session.get(OutboxEmail, email_id)
    if email is None or email.status != EmailStatus.SENDING:
        return False
    attachments = list(db.session.scalars(select(OutboxAttachment).where(OutboxAttachment.email_id == email_id)
                                          .order_by(OutboxAttachment.id)))
    msg = build_message(email, attachments, current_app.config["MAIL_FROM"])
    email.message_id = msg["Message-ID"]
    try:
        transport.send(msg)
    except Exception as exc:  # noqa: BLE001 - any transport failure means "try again later", never lose the row
        email.attempts += 1
        email.last_error = f"{type(exc).__name__}: {exc}"[:1000]
        email.claimed_until = None
        if email.attempts >= MAX_ATTEMPTS:
            email.status = EmailStatus.FAILED
            log.error("giving up on email %s after %s attempts: %s", email.id, email.attempts, email.last_error)
        else:
            email.status = EmailStatus.QUEUED
            email.send_after = now + backoff(email.attempts)
            log.warning("email %s failed (attempt %s), retrying: %s", email.id, email.attempts, email.last_error)
        db.session.commit()
        return False
    email.status = EmailStatus.SENT
    email.sent_at = now
    email.attempts += 1
    email.claimed_until = None
    db.session.commit()
    return True


def send_due_emails(now: dt.datetime) -> int:
    """One pass over the due emails; the number sent."""
    transport = transport_for(current_app.config)
    sent = 0
    for email_id in claim_due(now):
        sent += send_claimed(email_id, now, transport)
    return sent
