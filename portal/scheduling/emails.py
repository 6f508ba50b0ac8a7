"""The emails a booking sends: invitations with .ics, updates, cancellations and reminders."""
from __future__ import annotations

import datetime as dt

from flask import current_app
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from portal.core.timezones import local
from portal.extensions import db
from portal.jobs import duty
from portal.notifications import ics
from portal.notifications.outbox import Attachment, queue_email
from portal.scheduling.models import Booking, BookingStatus

DOMAIN = "stridelab.example"


def manage_url(booking: Booking) -> str:
    from portal.scheduling.booking import manage_token

    return f"{current_app.config['PUBLIC_BASE_URL']}/manage/{manage_token(booking, current_app.config['SECRET_KEY'])}"


def summary(booking: Booking) -> str:
    return f"{booking.event_type.title}: {booking.invitee_name} and {booking.coach.name}"


def answers_text(booking: Booking) -> str:
    labels = {q["key"]: q["label"] for q in booking.event_type.questions or []}
    return "\n".join(f"{labels.get(k, k)}: {v}" for k, v in booking.answers.items() if v)


def invite_for(booking: Booking, now: dt.datetime, link: str) -> ics.Invite:
    coach = booking.coach
    description = f"Video link: {coach.video_url or 'your coach will send it'}\n" \
                  f"Change or cancel: {link}\n\n{answers_text(booking)}".strip()
    return ics.Invite(uid=f"booking-{booking.id}@{DOMAIN}", sequence=booking.sequence, start=booking.start_at,
                      end=booking.end_at, stamp=now, summary=summary(booking), description=description,
                      location=coach.video_url, url=link, organizer_name=coach.name,
                      organizer_email=coach.user.email, attendee_name=booking.invitee_name,
                      attendee_email=booking.invitee_email)


def calendar_links(booking: Booking, link: str) -> dict[str, str]:
    details = f"Video link: {booking.coach.video_url}\nChange or cancel: {link}"
    args = (summary(booking), booking.start_at, booking.end_at, details, booking.coach.video_url)
    return {"google": ics.google_calendar_url(*args), "outlook": ics.outlook_calendar_url(*args)}


SUBJECTS = {
    "created": ("Booked: {title} with {coach}, {when}", "New call: {invitee}, {when}"),
    "rescheduled": ("Moved: {title} with {coach}, now {when}", "Call moved: {invitee}, now {when}"),
    "cancelled": ("Cancelled: {title} with {coach}, {when}", "Call cancelled: {invitee}, {when}"),
}


def _when(at: dt.datetime, zone_name: str) -> str:
    return local(at, zone_name).strftime("%a %-d %b, %-I:%M %p").replace("AM", "am").replace("PM", "pm")


def queue_booking_emails(booking: Booking, kind: str, now: dt.datetime) -> None:
    """Both sides hear of every change, each with an invite (same UID, higher SEQUENCE) or a cancellation."""
    link = manage_url(booking)
    invite = invite_for(booking, now, link)
    if kind == "cancelled":
        attachment = Attachment("cancel.ics", "text/calendar", ics.invite_cancel(invite), calendar_method="CANCEL")
    else:
        attachment = Attachment("invite.ics", "text/calendar", ics.invite_request(invite), calendar_method="REQUEST")
    coach = booking.coach
    invitee_subject, coach_subject = SUBJECTS[kind]
    base = {"booking": booking, "coach": coach, "kind": kind, "manage_link": link,
            "calendar_links": calendar_links(booking, link), "answers": answers_text(booking),
            "call_link": f"{current_app.config['PUBLIC_BASE_URL']}/coach/calls/{booking.id}"}
    fmt = {"title": booking.event_type.title, "coach": coach.name, "invitee": booking.invitee_name}
    queue_email(dedupe_key=f"booking:{booking.id}:{booking.sequence}:{kind}:invitee", to_addr=booking.invitee_email,
                to_name=booking.invitee_name,
                subject=invitee_subject.format(**fmt, when=_when(booking.start_at, booking.invitee_timezone)),
                template="booking_invitee", context=dict(base, zone=booking.invitee_timezone), now=now,
                attachments=(attachment,))
    queue_email(dedupe_key=f"booking:{booking.id}:{booking.sequence}:{kind}:coach", to_addr=coach.user.email,
                to_name=coach.name, subject=coach_subject.format(**fmt, when=_when(booking.start_at, coach.timezone)),
                template="booking_coach", context=dict(base, zone=coach.timezone), now=now,
                attachments=(attachment,))


REMINDERS = (("24h", dt.timedelta(hours=24)), ("1h", dt.timedelta(hours=1)))


@duty("booking_reminders")
def send_reminders(now: dt.datetime) -> int:
    """24 h and 1 h before each call, once each (a moved call gets its own reminders for the new time)."""
    due = db.session.scalars(
        select(Booking).options(joinedload(Booking.coach), joinedload(Booking.event_type))
        .where(Booking.status == BookingStatus.CONFIRMED, Booking.start_at > now,
               Booking.start_at <= now + dt.timedelta(hours=24))
    ).all()
    queued = 0
    for booking in due:
        for label, before in REMINDERS:
            if now < booking.start_at - before:
                continue
            # A reminder only makes sense if the call was booked before the reminder time came.
            if booking.updated_at > booking.start_at - before:
                continue
            if label == "24h" and booking.start_at - now <= dt.timedelta(hours=1):
                continue
            key = f"reminder:{label}:{booking.id}:{booking.start_at.isoformat()}"
            link = manage_url(booking)
            queue_email(dedupe_key=key, to_addr=booking.invitee_email, to_name=booking.invitee_name,
                        subject=f"Reminder: {booking.event_type.title} with {booking.coach.name} "
                                f"{'tomorrow' if label == '24h' else 'in one hour'}, "
                                f"{_when(booking.start_at, booking.invitee_timezone)}",
                        template="booking_reminder",
                        context={"booking": booking, "coach": booking.coach, "label": label, "manage_link": link,
                                 "zone": booking.invitee_timezone}, now=now)
            queued += 1
    db.session.commit()
    return queued
