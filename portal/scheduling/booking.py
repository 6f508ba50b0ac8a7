"""Taking, moving and cancelling a booking. A coach never has two active bookings that overlap, buffers included."""
from __future__ import annotations

import dataclasses
import datetime as dt
import secrets
from dataclasses import dataclass

from flask import current_app
from sqlalchemy import select, text
from sqlalchemy.exc import IntegrityError, OperationalError

from portal.accounts.models import CoachProfile
from portal.accounts.services import check_name, normalise_email
from portal.core import tokens
from portal.core.errors import Busy, Forbidden, InvalidInput, NotFound, SlotUnavailable, TokenInvalid
from portal.core.timezones import is_valid_zone
from portal.extensions import db
from portal.scheduling import slots
from portal.scheduling.availability import bookable_coaches, engine_settings, load_calendars, upcoming_load
from portal.scheduling.intake import check_answers
from portal.scheduling.models import Booking, BookingStatus, EventType
from portal.scheduling.round_robin import Candidate, pick_coach

MANAGE_LINK_LIFETIME = dt.timedelta(days=30)  # after the call ends
TAKEN = "That time was just booked by someone else. Please pick another time."


@dataclass(frozen=True)
class Invitee:
    name: str
    email: str
    timezone: str


@dataclass
class Booked:
    booking: Booking
    manage_token: str


def active_event_type(slug: str) -> EventType:
    event = db.session.scalar(select(EventType).where(EventType.slug == slug, EventType.active.is_(True)))
    if event is None:
        raise NotFound("There is no such kind of call.")
    return event


def check_invitee(name: str, email: str, zone_name: str) -> Invitee:
    fields = {}
    try:
        name = check_name(name)
    except InvalidInput as exc:
        fields.update(exc.fields)
    try:
        email = normalise_email(email)
    except InvalidInput as exc:
        fields.update(exc.fields)
    if not is_valid_zone(zone_name):
        fields["timezone"] = "Choose a time zone."
    if fields:
        raise InvalidInput("Some details need another look.", fields=fields)
    return Invitee(name=name, email=email, timezone=zone_name)


def check_start(event: EventType, start: dt.datetime, now: dt.datetime) -> None:
    """Times that can never be booked are a 422; a free-looking time someone else took is a 409."""
    if start.second or start.microsecond:
        raise InvalidInput("That is not one of the offered times.", fields={"start": "Pick a time from the list."})
    if start < now + dt.timedelta(minutes=event.minimum_notice_minutes):
        raise InvalidInput("That time is too soon or already past. Please pick a later time.",
                           fields={"start": "Too soon."})
    if start > now + dt.timedelta(days=event.booking_window_days):
        raise InvalidInput(f"Calls can be booked up to {event.booking_window_days} days ahead.",
                           fields={"start": "Too far ahead."})


def lock_coaches(coach_ids: list[int]) -> None:
    """Serialise bookings per coach: row locks on PostgreSQL (sorted, so two bookers never deadlock),
    an immediate write transaction on SQLite. Gives up after a few seconds with a "try again"."""
    if not current_app.config["BOOKING_LOCKS"]:
        return
    bind = db.session.get_bind()
    try:
        if bind.dialect.name == "postgresql":
            db.session.execute(text("SET LOCAL lock_timeout = '5s'"))
            db.session.execute(select(CoachProfile.id).where(CoachProfile.id.in_(sorted(coach_ids)))
                               .order_by(CoachProfile.id).with_for_update())
        elif bind.dialect.name == "sqlite":
            connection = db.session.connection()
            if not connection.connection.dbapi_connection.in_transaction:
                connection.exec_driver_sql("BEGIN IMMEDIATE")
    except OperationalError as exc:
        db.session.rollback()
        raise Busy("Lots of people are booking right now. Please try again in a moment.") from exc


def _blocked_range(event: EventType, start: dt.datetime) -> tuple[dt.datetime, dt.datetime, dt.datetime, dt.datetime]:
    end = start + dt.timedelta(minutes=event.duration_minutes)
    return (start, end, start - dt.timedelta(minutes=event.buffer_before_minutes),
            end + dt.timedelta(minutes=event.buffer_after_minutes))


def _free_coaches(event: EventType, coaches: list[CoachProfile], start: dt.datetime, now: dt.datetime,
                  exclude_booking_id: int | None = None) -> list[CoachProfile]:
    settings = engine_settings(event)
    calendars = load_calendars(coaches, start - dt.timedelta(days=1), start + dt.timedelta(days=1),
                               exclude_booking_id=exclude_booking_id)
    by_slug = {c.slug: c for c in coaches}
    return [by_slug[cal.key] for cal in calendars if slots.is_free(cal, settings, start, now)]


def _offered_at_all(event: EventType, coaches: list[CoachProfile], start: dt.datetime, now: dt.datetime) -> bool:
    """Would `start` be a slot if nobody had booked anything? Tells "taken" (409) from "never offered" (422)."""
    settings = dataclasses.replace(engine_settings(event), daily_limit=None)
    calendars = load_calendars(coaches, start - dt.timedelta(days=1), start + dt.timedelta(days=1))
    return any(slots.is_free(dataclasses.replace(cal, booked=(), busy=()), settings, start, now) for cal in calendars)


def _insert_guarded(booking: Booking) -> None:
    try:
        with db.session.begin_nested():
            db.session.add(booking)
            db.session.flush()
    except IntegrityError as exc:
        # The exclusion constraint caught an overlap the code did not: still a clean 409.
        db.session.rollback()
        raise SlotUnavailable(TAKEN) from exc


def book_call(*, event_slug: str, start: dt.datetime, invitee: Invitee, answers: dict, coach_slug: str | None,
              now: dt.datetime, secret_key: str) -> Booked:
    """Book `start` with the named coach, or the free coach chosen by round robin; 409 when nobody is free."""
    from portal.scheduling.emails import queue_booking_emails

    event = active_event_type(event_slug)
    answers = check_answers(event.questions or [], answers)
    if start.tzinfo is None:
        raise InvalidInput("The start time needs a UTC offset.", fields={"start": "Include an offset."})
    start = start.astimezone(dt.UTC)
    check_start(event, start, now)
    coaches = bookable_coaches(event, coach_slug)
    if not coaches:
        raise NotFound("That coach does not take this kind of call.") if coach_slug else SlotUnavailable(TAKEN)
    lock_coaches([c.id for c in coaches])
    free = _free_coaches(event, coaches, start, now)
    if not free:
        db.session.rollback()
        if not _offered_at_all(event, coaches, start, now):
            raise InvalidInput("That is not one of the offered times.", fields={"start": "Pick a time from the list."})
        raise SlotUnavailable(TAKEN)
    if len(free) == 1:
        coach = free[0]
    else:
        load = upcoming_load(event, [c.id for c in free], now)
        chosen = pick_coach([Candidate(key=c.slug, upcoming_bookings=load[c.id][0], last_booked_at=load[c.id][1])
                             for c in free])
        coach = next(c for c in free if c.slug == chosen)
    b_start, b_end, blocked_start, blocked_end = _blocked_range(event, start)
    booking = Booking(event_type_id=event.id, coach_id=coach.id, start_at=b_start, end_at=b_end,
                      blocked_start_at=blocked_start, blocked_end_at=blocked_end, status=BookingStatus.CONFIRMED,
                      invitee_name=invitee.name, invitee_email=invitee.email, invitee_timezone=invitee.timezone,
                      answers=answers, manage_nonce=secrets.token_urlsafe(24), sequence=0, created_at=now,
                      updated_at=now, cancel_reason="", cancelled_by="", notes="")
    _insert_guarded(booking)
    queue_booking_emails(booking, "created", now)
    db.session.commit()
    return Booked(booking=booking, manage_token=manage_token(booking, secret_key))


def manage_token(booking: Booking, secret_key: str) -> str:
    return tokens.sign_lasting(secret_key, "manage", {"b": booking.id, "n": booking.manage_nonce})


def booking_for_token(token: str, secret_key: str, now: dt.datetime) -> Booking:
    """The booking a manage link is for; the link stops working 30 days after the call."""
    payload = tokens.verify_lasting(secret_key, "manage", token)
    booking_id = payload.get("b") if isinstance(payload, dict) else None
    booking = db.session.get(Booking, booking_id) if isinstance(booking_id, int) else None
    if booking is None or not secrets.compare_digest(str(payload.get("n", "")), booking.manage_nonce):
        raise TokenInvalid("This link is not valid.")
    if now > booking.end_at + MANAGE_LINK_LIFETIME:
        raise TokenInvalid("This link has expired.")
    return booking


def can_change(booking: Booking, now: dt.datetime) -> bool:
    """The invitee may move or cancel until the event type's notice before the start."""
    notice = dt.timedelta(minutes=booking.event_type.cancel_notice_minutes)
    return booking.status == BookingStatus.CONFIRMED and now <= booking.start_at - notice


def _check_invitee_may_change(booking: Booking, now: dt.datetime) -> None:
    if booking.status != BookingStatus.CONFIRMED:
        raise InvalidInput("This call is already cancelled.")
    if not can_change(booking, now):
        hours = booking.event_type.cancel_notice_minutes / 60
        raise Forbidden(f"Calls can be changed up to {hours:g} hours before they start. Please email your coach.")


def cancel_booking(booking: Booking, *, reason: str, by: str, now: dt.datetime) -> Booking:
    """Cancel and tell both sides; the invitee only within the event type's notice, the coach at any time."""
    from portal.scheduling.emails import queue_booking_emails

    reason = (reason or "").strip()
    if len(reason) > 1000:
        raise InvalidInput("Please keep the reason under 1,000 characters.", fields={"reason": "Too long."})
    if by == "invitee":
        _check_invitee_may_change(booking, now)
    elif booking.status != BookingStatus.CONFIRMED:
        raise InvalidInput("This call is already cancelled.")
    lock_coaches([booking.coach_id])
    db.session.refresh(booking)
    if booking.status != BookingStatus.CONFIRMED:
        raise InvalidInput("This call is already cancelled.")
    booking.status = BookingStatus.CANCELLED
    booking.cancelled_at = now
    booking.cancel_reason = reason
    booking.cancelled_by = by
    booking.sequence += 1
    booking.updated_at = now
    queue_booking_emails(booking, "cancelled", now)
    db.session.commit()
    return booking


def reschedule_booking(booking: Booking, *, start: dt.datetime, by: str, now: dt.datetime) -> Booking:
    """Move a call to another free time of the same coach; the old time is freed in the same transaction."""
    from portal.scheduling.emails import queue_booking_emails

    if start.tzinfo is None:
        raise InvalidInput("The start time needs a UTC offset.", fields={"start": "Include an offset."})
    start = start.astimezone(dt.UTC)
    if by == "invitee":
        _check_invitee_may_change(booking, now)
    elif booking.status != BookingStatus.CONFIRMED:
        raise InvalidInput("This call is cancelled; book a new one instead.")
    if start == booking.start_at:
        raise InvalidInput("That is the time the call already has.", fields={"start": "Pick another time."})
    if start <= now:
        raise InvalidInput("A call can only move to a time still to come.", fields={"start": "Pick a later time."})
    lock_coaches([booking.coach_id])
    db.session.refresh(booking)
    event, coach = booking.event_type, booking.coach
    if not _free_coaches(event, [coach], start, now, exclude_booking_id=booking.id) and by == "invitee":
        db.session.rollback()
        raise SlotUnavailable(TAKEN)
    if by == "coach" and not _coach_may_move(booking, start):
        db.session.rollback()
        raise SlotUnavailable("That time clashes with another call.")
    b_start, b_end, blocked_start, blocked_end = _blocked_range(event, start)
    booking.start_at, booking.end_at = b_start, b_end
    booking.blocked_start_at, booking.blocked_end_at = blocked_start, blocked_end
    booking.sequence += 1
    booking.updated_at = now
    try:
        with db.session.begin_nested():
            db.session.flush()
    except IntegrityError as exc:
        db.session.rollback()
        raise SlotUnavailable(TAKEN) from exc
    queue_booking_emails(booking, "rescheduled", now)
    db.session.commit()
    return booking


def _coach_may_move(booking: Booking, start: dt.datetime) -> bool:
    """A coach may move a call outside their usual hours, but never onto another call."""
    event = booking.event_type
    _, _, blocked_start, blocked_end = _blocked_range(event, start)
    clash = db.session.scalar(select(Booking.id).where(
        Booking.coach_id == booking.coach_id, Booking.id != booking.id, Booking.status == BookingStatus.CONFIRMED,
        Booking.blocked_start_at < blocked_end, Booking.blocked_end_at > blocked_start).limit(1))
    return clash is None
