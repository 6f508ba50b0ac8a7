"""Booking pages for prospects: pick a time in your own zone, answer the intake, manage the booking."""
from __future__ import annotations

import datetime as dt
from collections import OrderedDict

from flask import Blueprint, Response, current_app, flash, redirect, render_template, request, url_for

from portal.core import clock
from portal.core.access import public
from portal.core.errors import DomainError, InvalidInput, NotFound, SlotUnavailable, TokenInvalid
from portal.core.timezones import all_zones, is_valid_zone, local
from portal.extensions import limiter
from portal.scheduling import booking as service
from portal.scheduling.availability import bookable_coaches, free_slots
from portal.scheduling.emails import calendar_links, invite_for, manage_url
from portal.scheduling.forms import CancelForm, RescheduleForm, answers_from, intake_form
from portal.notifications import ics

bp = Blueprint("scheduling", __name__)

DAYS_SHOWN = 7


def _zone() -> tuple[str, str | None]:
    """The viewer's zone: ?timezone=, then the browser's (a cookie set by our script), then UTC."""
    asked = request.args.get("timezone")
    if asked is not None:
        if is_valid_zone(asked):
            return asked, None
        return "UTC", f"“{asked[:64]}” is not a time zone we know. Times below are in UTC; pick your zone."
    cookie = request.cookies.get("tz")
    return (cookie if is_valid_zone(cookie) else "UTC"), None


def _first_day(zone_name: str, now: dt.datetime) -> tuple[dt.date, str | None]:
    today = local(now, zone_name).date()
    raw = request.args.get("date")
    if not raw:
        return today, None
    try:
        asked = dt.date.fromisoformat(raw)
    except ValueError:
        return today, "That date is not valid; showing the coming days."
    if asked > today + dt.timedelta(days=366):
        return today, "That date is too far ahead; showing the coming days."
    return max(asked, today), None


def _parse_start(raw: str | None) -> dt.datetime:
    try:
        start = dt.datetime.fromisoformat(raw or "")
    except ValueError:
        raise InvalidInput("That time is not valid. Please pick one from the list.") from None
    if start.tzinfo is None:
        raise InvalidInput("That time is not valid. Please pick one from the list.")
    return start


def _days(found, zone_name: str, first: dt.date, count: int) -> list[tuple[dt.date, list]]:
    days: OrderedDict[dt.date, list] = OrderedDict((first + dt.timedelta(days=i), []) for i in range(count))
    for slot in found:
        at = local(slot.start, zone_name)
        if at.date() in days:
            days[at.date()].append(at)
    return list(days.items())


@bp.get("/book/<event_slug>")
@bp.get("/book/<event_slug>/<coach_slug>")
@public
def book(event_slug: str, coach_slug: str | None = None):
    """Days with free times in the viewer's zone; each time is a link to the intake form."""
    event = service.active_event_type(event_slug)
    coaches = bookable_coaches(event, coach_slug)
    if coach_slug and not coaches:
        raise NotFound("That coach does not take this kind of call.")
    now = clock.now()
    zone_name, zone_problem = _zone()
    first, date_problem = _first_day(zone_name, now)
    last = first + dt.timedelta(days=DAYS_SHOWN - 1)
    found = free_slots(event, first, last, zone_name, now, coach_slug)
    problem = zone_problem or date_problem
    horizon = local(now + dt.timedelta(days=event.booking_window_days), zone_name).date()
    return render_template(
        "scheduling/book.html", event=event, coach=coaches[0] if coach_slug else None, coaches=coaches,
        days=_days(found, zone_name, first, DAYS_SHOWN), zone=zone_name, first=first, last=last,
        today=local(now, zone_name).date(), zones=all_zones(), problem=problem,
        prev_first=max(first - dt.timedelta(days=DAYS_SHOWN), local(now, zone_name).date())
        if first > local(now, zone_name).date() else None,
        next_first=last + dt.timedelta(days=1) if last < horizon else None,
        zone_explicit="timezone" in request.args and not zone_problem,
    ), 400 if problem else 200


@bp.route("/booking/details/<event_slug>", methods=["GET", "POST"])
@public
@limiter.limit(lambda: current_app.config["RATELIMIT_BOOKING_IP"], methods=["POST"])
@limiter.limit(lambda: current_app.config["RATELIMIT_BOOKING_EMAIL"], methods=["POST"],
               key_func=lambda: "booking-email:" + (request.form.get("email") or "").strip().lower()[:254])
def details(event_slug: str):
    """The intake form for one chosen time; posting it books the call."""
    event = service.active_event_type(event_slug)
    source = request.form if request.method == "POST" else request.args
    coach_slug = source.get("coach") or None
    zone_name = source.get("timezone", "UTC")
    if not is_valid_zone(zone_name):
        raise InvalidInput("That time zone is not valid. Please start again from the booking page.")
    start = _parse_start(source.get("start"))
    questions = event.questions or []
    form = intake_form(questions)
    if request.method == "GET":
        form.start.data, form.timezone.data = start.isoformat(), zone_name
    coach = bookable_coaches(event, coach_slug)[0] if coach_slug and bookable_coaches(event, coach_slug) else None
    context = {"event": event, "coach": coach, "coach_slug": coach_slug, "start": local(start, zone_name),
               "zone": zone_name, "form": form, "questions": questions}
    if request.method == "POST":
        if not form.validate_on_submit():
            return render_template("scheduling/details.html", **context), 422
        try:
            invitee = service.check_invitee(form.name.data, form.email.data, zone_name)
            done = service.book_call(event_slug=event.slug, start=start, invitee=invitee,
                                     answers=answers_from(form, questions), coach_slug=coach_slug, now=clock.now(),
                                     secret_key=current_app.config["SECRET_KEY"])
        except SlotUnavailable as exc:
            flash(exc.message, "error")
            target = url_for("scheduling.book", event_slug=event.slug, coach_slug=coach_slug, timezone=zone_name,
                             date=local(start, zone_name).date().isoformat())
            return redirect(target, code=303)
        except InvalidInput as exc:
            for name, message in exc.fields.items():
                field = getattr(form, name, None) or getattr(form, "q_" + name.removeprefix("answers."), None)
                if field is not None:
                    field.errors = [message]
            flash(exc.message, "error")
            return render_template("scheduling/details.html", **context), exc.status
        return redirect(url_for("scheduling.confirmed", token=done.manage_token), code=303)
    return render_template("scheduling/details.html", **context)


def _booking(token: str):
    try:
        return service.booking_for_token(token, current_app.config["SECRET_KEY"], clock.now())
    except TokenInvalid as exc:
        raise NotFound(exc.message) from exc


@bp.get("/booking/confirmed/<token>")
@public
def confirmed(token: str):
    booking = _booking(token)
    link = manage_url(booking)
    return render_template("scheduling/confirmed.html", booking=booking, zone=booking.invitee_timezone,
                           manage_link=link, calendar_links=calendar_links(booking, link), token=token)


@bp.get("/booking/invite/<token>.ics")
@public
def invite_file(token: str):
    booking = _booking(token)
    body = ics.invite_request(invite_for(booking, booking.updated_at, manage_url(booking)))
    return Response(body, mimetype="text/calendar",
                    headers={"Content-Disposition": f'attachment; filename="strategy-call-{booking.id}.ics"'})


@bp.get("/manage/<token>")
@public
def manage(token: str):
    """The prospect's page for one booking: see it, move it or cancel it (within the allowed notice)."""
    booking = _booking(token)
    now = clock.now()
    zone_name, problem = _zone()
    if "timezone" not in request.args:
        zone_name = booking.invitee_timezone
    days = []
    first = local(now, zone_name).date()
    can_change = service.can_change(booking, now)
    if can_change:
        first, _ = _first_day(zone_name, now)
        found = [s for s in free_slots(booking.event_type, first, first + dt.timedelta(days=DAYS_SHOWN - 1),
                                       zone_name, now, booking.coach.slug) if s.start != booking.start_at]
        days = _days(found, zone_name, first, DAYS_SHOWN)
    return render_template("scheduling/manage.html", booking=booking, token=token, zone=zone_name, days=days,
                           first=first, next_first=first + dt.timedelta(days=DAYS_SHOWN), can_change=can_change,
                           cancel_form=CancelForm(),
                           reschedule_form=RescheduleForm(), problem=problem, zones=all_zones(),
                           today=local(now, zone_name).date()), 400 if problem else 200


def _manage_action(token: str, form, invalid: str, action, done: str, then: str = "scheduling.manage"):
    """The prospect's cancel and move buttons: run `action(booking)`, then say what happened."""
    booking = _booking(token)
    if not form.validate_on_submit():
        flash(invalid, "error")
        return redirect(url_for("scheduling.manage", token=token), code=303)
    try:
        action(booking)
    except DomainError as exc:
        flash(exc.message, "error")
        return redirect(url_for("scheduling.manage", token=token), code=303)
    flash(done, "success")
    return redirect(url_for(then, token=token), code=303)


@bp.post("/manage/<token>/cancel")
@public
@limiter.limit(lambda: current_app.config["RATELIMIT_BOOKING_IP"])
def cancel(token: str):
    form = CancelForm()
    return _manage_action(
        token, form, "Please keep the reason under 1,000 characters.",
        lambda booking: service.cancel_booking(booking, reason=form.reason.data or "", by="invitee", now=clock.now()),
        "Your call is cancelled. We have emailed you and your coach.")


@bp.post("/manage/<token>/reschedule")
@public
@limiter.limit(lambda: current_app.config["RATELIMIT_BOOKING_IP"])
def reschedule(token: str):
    form = RescheduleForm()
    return _manage_action(
        token, form, "Please pick a new time from the list.",
        lambda booking: service.reschedule_booking(booking, start=_parse_start(form.start.data), by="invitee",
                                                   now=clock.now()),
        "Your call has moved. We have emailed you an updated invitation.", then="scheduling.confirmed")
