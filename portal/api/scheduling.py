"""Scheduling endpoints: event types, slots, bookings, a coach's availability and bookings."""
from __future__ import annotations

import datetime as dt

from flask import Response, current_app, request
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from portal.api import api_bp
from portal.api.framework import endpoint
from portal.core import clock
from portal.core.errors import Forbidden, InvalidInput, NotFound
from portal.core.timezones import day_bounds, local
from portal.extensions import db, limiter
from portal.scheduling import booking as booking_service
from portal.scheduling import hours, slot_cache
from portal.scheduling.availability import bookable_coaches, free_slots
from portal.scheduling.models import Booking, EventType
from portal.scheduling.schemas import (
    AvailabilityIO,
    BookingIn,
    BookingOut,
    CancelIn,
    CancelOut,
    CoachRef,
    EventTypeOut,
    EventTypePatch,
    EventTypeSettings,
    MyBooking,
    MyBookingsOut,
    MyBookingsQuery,
    SlotOut,
    SlotsOut,
    SlotsQuery,
)

TAGS = ("scheduling",)


def _booking_email_key() -> str:
    data = request.get_json(silent=True)
    email = data.get("email") if isinstance(data, dict) else ""
    return "booking-email:" + (email if isinstance(email, str) else "").strip().lower()[:254]


@endpoint(api_bp, "/event-types", "GET", summary="Kinds of call that can be booked, with their coaches",
          response=list[EventTypeOut], tags=TAGS)
def list_event_types():
    events = db.session.scalars(select(EventType).where(EventType.active.is_(True)).order_by(EventType.id)).all()
    return [EventTypeOut(slug=e.slug, title=e.title, duration_minutes=e.duration_minutes,
                         coaches=[CoachRef(slug=c.slug, name=c.name) for c in bookable_coaches(e)]) for e in events]


@endpoint(api_bp, "/event-types/<slug>/slots", "GET", summary="Free times on the days asked, in the zone asked",
          query=SlotsQuery, response=SlotsOut, errors=(404,), tags=TAGS)
def list_slots(slug: str, query: SlotsQuery):
    now = clock.now()
    key = slot_cache.key_for(slug, query.coach, query.start, query.end, query.timezone, now)
    if key is None:
        raise NotFound("There is no such kind of call.")
    _, coach_rows, *_ = key
    if query.coach and not coach_rows:
        raise NotFound("That coach does not take this kind of call.")

    def compute():
        event = booking_service.active_event_type(slug)
        found = free_slots(event, query.start, query.end, query.timezone, now, query.coach)
        body = SlotsOut(timezone=query.timezone, slots=[
            SlotOut(start=local(s.start, query.timezone).isoformat(), end=local(s.end, query.timezone).isoformat(),
                    coaches=list(s.coaches)) for s in found])
        return (found[0].start if found else None), body.model_dump(mode="json")

    notice = dt.timedelta(minutes=key[0][5])
    return Response(slot_cache.get_or_compute(key, now, notice, compute), mimetype="application/json")


@endpoint(api_bp, "/bookings", "POST", summary="Book a call", body=BookingIn, response=BookingOut, status=201,
          errors=(404, 409, 429), tags=TAGS, limits=(
              limiter.limit(lambda: current_app.config["RATELIMIT_BOOKING_IP"]),
              limiter.limit(lambda: current_app.config["RATELIMIT_BOOKING_EMAIL"], key_func=_booking_email_key)))
def create_booking(body: BookingIn):
    if body.website:
        raise InvalidInput("Leave the website field empty.", fields={"website": "Must be empty."})
    invitee = booking_service.check_invitee(body.name, body.email, body.timezone)
    done = booking_service.book_call(event_slug=body.event_type, start=body.start, invitee=invitee,
                                     answers=body.answers, coach_slug=body.coach, now=clock.now(),
                                     secret_key=current_app.config["SECRET_KEY"])
    return booking_out(done.booking, done.manage_token, body.timezone)


def booking_out(booking: Booking, token: str, zone_name: str) -> BookingOut:
    return BookingOut(id=booking.id, start=local(booking.start_at, zone_name).isoformat(),
                      end=local(booking.end_at, zone_name).isoformat(), status=booking.status,
                      coach=CoachRef(slug=booking.coach.slug, name=booking.coach.name),
                      manage_url=f"{current_app.config['PUBLIC_BASE_URL']}/manage/{token}")


@endpoint(api_bp, "/bookings/cancel", "POST", summary="Cancel a booking with its manage token", body=CancelIn,
          response=CancelOut, errors=(400, 403, 429), tags=TAGS,
          limits=(limiter.limit(lambda: current_app.config["RATELIMIT_BOOKING_IP"]),))
def cancel_booking(body: CancelIn):
    now = clock.now()
    booking = booking_service.booking_for_token(body.token, current_app.config["SECRET_KEY"], now)
    booking = booking_service.cancel_booking(booking, reason=body.reason or "", by="invitee", now=now)
    return CancelOut(id=booking.id, status=booking.status)


def _own_coach(user):
    if user.coach is None:
        raise Forbidden("This account has no coach calendar.")
    return user.coach


@endpoint(api_bp, "/me/availability", "GET", summary="My weekly hours and date overrides", auth="staff",
          response=AvailabilityIO, tags=TAGS)
def get_my_availability(user):
    return AvailabilityIO.model_validate(hours.availability(_own_coach(user)))


@endpoint(api_bp, "/me/availability", "PUT", summary="Replace my weekly hours and date overrides", auth="staff",
          body=AvailabilityIO, response=AvailabilityIO, tags=TAGS)
def put_my_availability(user, body: AvailabilityIO):
    coach = _own_coach(user)
    hours.set_availability(coach, zone_name=body.timezone, weekly=body.weekly,
                           overrides=[(o.date, o.intervals) for o in body.overrides])
    return AvailabilityIO.model_validate(hours.availability(coach))


@endpoint(api_bp, "/me/bookings", "GET", summary="My bookings on the days asked (in my zone)", auth="staff",
          query=MyBookingsQuery, response=MyBookingsOut, tags=TAGS)
def my_bookings(user, query: MyBookingsQuery):
    coach = _own_coach(user)
    zone_name = user.timezone
    start, _ = day_bounds(query.start, zone_name)
    _, end = day_bounds(query.end, zone_name)
    rows = db.session.scalars(select(Booking).options(joinedload(Booking.event_type)).where(
        Booking.coach_id == coach.id, Booking.start_at >= start, Booking.start_at < end).order_by(Booking.start_at))
    return MyBookingsOut(bookings=[MyBooking(
        id=b.id, start=local(b.start_at, zone_name).isoformat(), end=local(b.end_at, zone_name).isoformat(),
        status=b.status, event_type=b.event_type.slug,
        invitee={"name": b.invitee_name, "email": b.invitee_email, "timezone": b.invitee_timezone},
        answers=b.answers) for b in rows])


@endpoint(api_bp, "/event-types/<slug>", "PATCH", summary="Change an event type's settings", auth="staff",
          body=EventTypePatch, response=EventTypeSettings, errors=(404,), tags=TAGS)
def patch_event_type(user, slug: str, body: EventTypePatch):
    event = hours.update_event_type(slug, body.model_dump(exclude_unset=True))
    return EventTypeSettings.model_validate(event, from_attributes=True)

