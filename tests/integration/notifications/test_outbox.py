"""The email outbox: queued once, sent as multipart mail, retried with backoff, never lost, never doubled."""
from __future__ import annotations

import datetime as dt
import socket

import pytest
from sqlalchemy import func, select

from portal.core import clock
from portal.extensions import db
from portal.jobs import run_due
from portal.notifications import sending
from portal.notifications.models import EmailStatus, OutboxEmail
from portal.notifications.outbox import Attachment, queue_email
from tests.conftest import Auth
from tests.factories import UserFactory

ICS = (b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Stride Lab//Portal//EN\r\nMETHOD:REQUEST\r\n"
       b"BEGIN:VEVENT\r\nUID:call-1@stridelab.example\r\nDTSTAMP:20261207T110000Z\r\n"
       b"DTSTART:20261208T140000Z\r\nDTEND:20261208T143000Z\r\nSUMMARY:Strategy call\r\nEND:VEVENT\r\n"
       b"END:VCALENDAR\r\n")


def queue(key: str = "welcome:1", to: str = "ann@example.com", now: dt.datetime | None = None, **kwargs):
    email = queue_email(dedupe_key=key, to_addr=to, to_name="Ann Example", subject="Hello from Stride Lab",
                        template="password_reset", now=now or clock.now(),
                        context={"user": {"first_name": "Ann"}, "link": "http://127.0.0.1:5000/reset-password/abc",
                                 "minutes": 60}, **kwargs)
    db.session.commit()
    return email


def rows() -> list[OutboxEmail]:
    db.session.expire_all()
    return db.session.scalars(select(OutboxEmail).order_by(OutboxEmail.id)).all()


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_queueing_the_same_dedupe_key_twice_keeps_one_email(ctx, mail):
    first = queue("booking:42:confirmation")
    second = queue("booking:42:confirmation", to="someone-else@example.com")
    assert first.id == second.id
    assert db.session.scalar(select(func.count()).select_from(OutboxEmail)) == 1
    mail.deliver()
    assert len(mail.sink.messages) == 1


def test_queued_mail_is_sent_as_text_and_html_alternatives(ctx, mail):
    queue()
    mail.deliver()
    [message] = mail.sink.to("ann@example.com")
    assert message.get_content_type() == "multipart/alternative"
    assert message["To"] == "Ann Example <ann@example.com>"
    assert message["From"] == ctx.config["MAIL_FROM"]
    assert message["Message-ID"]
    plain = message.get_body(preferencelist=("plain",))
    html = message.get_body(preferencelist=("html",))
    assert "http://127.0.0.1:5000/reset-password/abc" in plain.get_content()
    assert '<a href="http://127.0.0.1:5000/reset-password/abc"' in html.get_content()
    [row] = rows()
    assert (row.status, row.attempts, row.message_id) == (EmailStatus.SENT, 1, message["Message-ID"].strip())
    assert row.sent_at is not None


def test_a_calendar_request_travels_as_a_text_calendar_alternative_and_an_ics_file(ctx, mail):
    queue(attachments=(Attachment("invite.ics", "text/calendar", ICS, calendar_method="REQUEST"),))
    mail.deliver()
    [message] = mail.sink.to("ann@example.com")
    assert message.get_content_type() == "multipart/mixed"
    [alternative] = [p for p in message.iter_parts() if p.get_content_type() == "multipart/alternative"]
    kinds = [p.get_content_type() for p in alternative.iter_parts()]
    assert kinds == ["text/plain", "text/html", "text/calendar"]
    calendar = list(alternative.iter_parts())[2]
    assert calendar.get_param("method") == "REQUEST"
    assert "BEGIN:VEVENT" in calendar.get_content()
    [attached] = list(message.iter_attachments())
    assert attached.get_filename() == "invite.ics"
    assert attached.get_content_type() == "text/calendar"
    assert attached.get_param("method") == "REQUEST"
    assert attached.get_payload(decode=True) == ICS


def test_a_plain_attachment_adds_no_calendar_part(ctx, mail):
    queue(attachments=(Attachment("notes.txt", "text/plain", b"hello"),))
    mail.deliver()
    [message] = mail.sink.to("ann@example.com")
    assert "text/calendar" not in [p.get_content_type() for p in message.walk()]
    assert [a.get_filename() for a in message.iter_attachments()] == ["notes.txt"]


def test_a_refused_send_stays_queued_with_a_backoff_and_goes_out_once_later(ctx, mail, smtp_sink):
    now = clock.now()
    queue(now=now)
    smtp_sink.fail_next = 1
    mail.deliver(now)
    [row] = rows()
    assert (row.status, row.attempts) == (EmailStatus.QUEUED, 1)
    assert row.send_after == now + sending.backoff(1)
    assert "451" in row.last_error
    assert smtp_sink.messages == []

    mail.deliver(now + dt.timedelta(seconds=30))  # not due yet
    assert smtp_sink.messages == []
    mail.deliver(now + dt.timedelta(minutes=2))
    mail.deliver(now + dt.timedelta(minutes=3))
    assert len(smtp_sink.to("ann@example.com")) == 1
    [row] = rows()
    assert (row.status, row.attempts) == (EmailStatus.SENT, 2)


def test_mail_waits_while_the_smtp_server_is_down_and_is_sent_when_it_returns(ctx, mail, monkeypatch):
    now = clock.now()
    queue(now=now)
    monkeypatch.setitem(ctx.config, "SMTP_URL", f"smtp://127.0.0.1:{closed_port()}")
    for minutes in (0, 5, 30):
        run_due(now + dt.timedelta(minutes=minutes))
    [row] = rows()
    assert row.status == EmailStatus.QUEUED
    assert row.attempts == 3
    assert "Connection" in row.last_error or "refused" in row.last_error.lower()
    monkeypatch.undo()
    mail.deliver(now + dt.timedelta(hours=1))
    assert len(mail.sink.to("ann@example.com")) == 1
    assert rows()[0].status == EmailStatus.SENT


def test_mail_that_never_goes_through_is_kept_as_failed_not_deleted(ctx, monkeypatch):
    now = clock.now()
    queue(now=now)
    monkeypatch.setitem(ctx.config, "SMTP_URL", f"smtp://127.0.0.1:{closed_port()}")
    for attempt in range(sending.MAX_ATTEMPTS + 2):
        run_due(now + dt.timedelta(days=attempt))
    [row] = rows()
    assert (row.status, row.attempts) == (EmailStatus.FAILED, sending.MAX_ATTEMPTS)


def test_backoff_doubles_from_one_minute_up_to_six_hours():
    assert [sending.backoff(n) for n in (1, 2, 3, 4)] == [dt.timedelta(minutes=m) for m in (1, 2, 4, 8)]
    assert sending.backoff(20) == dt.timedelta(hours=6)


def test_a_claim_left_by_a_worker_that_died_is_taken_over_after_it_expires(ctx, mail):
    now = clock.now()
    queue(now=now)
    assert sending.claim_due(now) == [rows()[0].id]  # a worker claims it, then dies before sending
    mail.deliver(now + dt.timedelta(minutes=1))
    assert mail.sink.messages == []  # the claim still holds
    mail.deliver(now + sending.CLAIM_FOR + dt.timedelta(seconds=1))
    assert len(mail.sink.to("ann@example.com")) == 1


def test_mail_queued_for_later_waits_until_its_time(ctx, mail):
    now = clock.now()
    queue(now=now, send_after=now + dt.timedelta(hours=24))
    mail.deliver(now + dt.timedelta(hours=23))
    assert mail.sink.messages == []
    mail.deliver(now + dt.timedelta(hours=24))
    assert len(mail.sink.messages) == 1


def test_a_reset_request_succeeds_while_the_smtp_server_is_down(app, monkeypatch, mail):
    with app.app_context():
        UserFactory(email="down@example.com")
    monkeypatch.setitem(app.config, "SMTP_URL", f"smtp://127.0.0.1:{closed_port()}")
    auth = Auth(app.test_client())
    response = auth.post("/reset-password", {"email": "down@example.com"})
    assert response.status_code == 302
    mail.deliver()  # the SMTP server refuses the connection
    with app.app_context():
        [row] = rows()
        assert (row.to_addr, row.status, row.attempts) == ("down@example.com", EmailStatus.QUEUED, 1)
    monkeypatch.undo()
    mail.deliver(clock.now() + dt.timedelta(minutes=5))
    assert len(mail.sink.to("down@example.com")) == 1


@pytest.mark.parametrize("template", ["password_reset", "coach_invite"])
def test_email_templates_render_outside_a_request_as_jobs_do(ctx, template):
    """Jobs and commands queue mail with no request behind them."""
    email = queue_email(dedupe_key=f"job:{template}", to_addr="ann@example.com", subject="From a job",
                        template=template, now=clock.now(),
                        context={"user": {"first_name": "Ann"}, "inviter": {"name": "Maya"},
                                 "link": "http://127.0.0.1:5000/x", "minutes": 60})
    assert "http://127.0.0.1:5000/x" in email.text_body and "http://127.0.0.1:5000/x" in email.html_body
