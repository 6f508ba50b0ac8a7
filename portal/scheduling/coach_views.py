"""The coach's calendar: the week, weekly hours, dates and time off, other calendars, calls and event types.

Admins see every coach: `?coach=<slug>` on any of these pages acts on that coach's calendar. A coach who
asks for another coach's slug is refused (403)."""
from __future__ import annotations

import datetime as dt

from flask import Blueprint, Response, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select
from wtforms import SelectChoice

from portal.accounts.models import CoachProfile, User
from portal.core import clock
from portal.core.access import public, staff
from portal.core.errors import DomainError, Forbidden, InvalidInput, NotFound
from portal.core.timezones import local, zone
from portal.extensions import db
from portal.scheduling import booking as booking_service
from portal.scheduling import calendars, calls, hours
from portal.scheduling.coach_forms import (
    BlockForm,
    CalendarAddressForm,
    CallNotesForm,
    CancelCallForm,
    EventTypeForm,
    MoveCallForm,
    OverrideForm,
    TimeOffForm,
    UploadCalendarForm,
    WeeklyHoursForm,
    format_intervals,
    show_errors,
)
from portal.scheduling.models import EventType
from portal.scheduling.schemas import WEEKDAYS

bp = Blueprint("scheduling_coach", __name__, url_prefix="/coach")
# The private subscription feed lives outside /coach: calendar apps fetch it with no session.
feed_bp = Blueprint("scheduling_feed", __name__)


# --- whose calendar ---------------------------------------------------------------------------------------

def acting_coach() -> CoachProfile:
    """The coach this page acts on: `?coach=<slug>` for admins, else the signed-in coach."""
    own: CoachProfile | None = current_user.coach
    slug = (request.args.get("coach") or "").strip()
    if slug and (own is None or slug != own.slug):
        if not current_user.is_admin:
            abort(403)
        coach = db.session.scalar(select(CoachProfile).where(CoachProfile.slug == slug))
        if coach is None:
            raise NotFound("There is no coach with that name.")
        return coach
    if own is not None:
        return own
    if current_user.is_admin:
        first = db.session.scalar(select(CoachProfile).order_by(CoachProfile.id).limit(1))
        if first is not None:
            return first
        raise NotFound("There are no coaches yet. Invite one from the Team page.")
    raise Forbidden("This account has no calendar.")


def coach_args(coach: CoachProfile) -> dict[str, str]:
    """Query arguments that keep an admin on the coach they picked."""
    return {} if current_user.coach is not None and coach.id == current_user.coach.id else {"coach": coach.slug}


def _page(template: str, coach: CoachProfile, status: int = 200, **context):
    coaches = []
    if current_user.is_admin:
        coaches = db.session.scalars(select(CoachProfile).join(User, User.id == CoachProfile.user_id)
                                     .order_by(User.name)).all()
    return render_template(template, coach=coach, ca=coach_args(coach), coaches=coaches, **context), status


def _field_errors(form, exc: DomainError, rename: dict[str, str] | None = None) -> None:
    """A service's field messages go on the form's fields; a message for no field is flashed."""
    if not show_errors(form, exc, rename):
        flash(exc.message, "error")


def ago(then: dt.datetime | None, now: dt.datetime) -> str:
    if then is None:
        return "never"
    minutes = int((now - then).total_seconds() // 60)
    if minutes < 1:
        return "just now"
    if minutes < 60:
        return f"{minutes} minute{'s' if minutes != 1 else ''} ago"
    hours_ago = minutes // 60
    if hours_ago < 48:
        return f"{hours_ago} hour{'s' if hours_ago != 1 else ''} ago"
    return f"{hours_ago // 24} days ago"


# --- the week ---------------------------------------------------------------------------------------------

@bp.get("/calendar")
@staff
def calendar():
    coach = acting_coach()
    today = local(clock.now(), coach.user.timezone).date()
    raw = request.args.get("week", "")
    try:
        any_day = dt.date.fromisoformat(raw) if raw else today
    except ValueError as exc:
        raise InvalidInput("That week is not a date like 2026-12-07.") from exc
    if not 2000 <= any_day.year <= 2200:
        raise InvalidInput("Pick a week between 2000 and 2200.")
    week = calls.coach_week(coach, any_day, today)
    return _page("scheduling/coach/calendar.html", coach, week=week, today=today,
                 previous=week.first_day - dt.timedelta(days=7), following=week.first_day + dt.timedelta(days=7))


# --- weekly hours -----------------------------------------------------------------------------------------

@bp.route("/calendar/hours", methods=["GET", "POST"])
@staff
def weekly_hours():
    coach = acting_coach()
    form = WeeklyHoursForm()
    if request.method == "GET":
        saved = hours.availability(coach)
        form.timezone.data = saved["timezone"]
        for day in WEEKDAYS:
            form[day].data = format_intervals(saved["weekly"][day])
    if form.validate_on_submit():
        try:
            hours.set_weekly_hours(coach, form.timezone.data, form.weekly())
        except DomainError as exc:
            _field_errors(form, exc)
            return _page("scheduling/coach/hours.html", coach, exc.status, form=form)
        flash("Your weekly hours are saved.", "success")
        return redirect(url_for(".weekly_hours", **coach_args(coach)))
    return _page("scheduling/coach/hours.html", coach, 422 if form.errors else 200, form=form)


# --- dates, time off and blocked times ---------------------------------------------------------------------

def _availability_page(coach: CoachProfile, status: int = 200, **forms):
    now = clock.now()
    forms.setdefault("override_form", OverrideForm(formdata=None))
    forms.setdefault("time_off_form", TimeOffForm(formdata=None))
    forms.setdefault("block_form", BlockForm(formdata=None))
    return _page("scheduling/coach/availability.html", coach, status, rules=hours.upcoming_rules(coach, now),
                 zone_name=coach.user.timezone, **forms)


@bp.get("/calendar/availability")
@staff
def availability():
    return _availability_page(acting_coach())


@bp.post("/calendar/overrides")
@staff
def add_override():
    coach = acting_coach()
    form = OverrideForm()
    if form.validate_on_submit():
        try:
            hours.set_override(coach, form.override_on.data, form.override_intervals.intervals)
        except DomainError as exc:
            _field_errors(form, exc, {"intervals": "override_intervals"})
            return _availability_page(coach, exc.status, override_form=form)
        what = "a day off" if not form.override_intervals.intervals else "special hours"
        flash(f"{form.override_on.data:%A %-d %B} is now {what}.", "success")
        return redirect(url_for(".availability", **coach_args(coach)))
    return _availability_page(coach, 422, override_form=form)


@bp.post("/calendar/overrides/<int:item_id>/remove")
@staff
def remove_override(item_id: int):
    coach = acting_coach()
    hours.remove_override(coach, item_id)
    flash("That date has your usual hours again.", "success")
    return redirect(url_for(".availability", **coach_args(coach)))


@bp.post("/calendar/time-off")
@staff
def add_time_off():
    coach = acting_coach()
    form = TimeOffForm()
    if form.validate_on_submit():
        try:
            hours.add_time_off(coach, form.off_first.data, form.off_last.data, form.off_note.data)
        except DomainError as exc:
            _field_errors(form, exc, {"starts_on": "off_first", "ends_on": "off_last"})
            return _availability_page(coach, exc.status, time_off_form=form)
        flash("Your time off is saved. Nobody can book you on those days.", "success")
        return redirect(url_for(".availability", **coach_args(coach)))
    return _availability_page(coach, 422, time_off_form=form)


@bp.post("/calendar/time-off/<int:item_id>/remove")
@staff
def remove_time_off(item_id: int):
    coach = acting_coach()
    hours.remove_time_off(coach, item_id)
    flash("The time off is removed.", "success")
    return redirect(url_for(".availability", **coach_args(coach)))


def _instant(on: dt.date, at: dt.time, zone_name: str) -> dt.datetime:
    """A wall-clock time in the coach's zone as UTC (a time skipped by a DST change moves forward)."""
    return dt.datetime.combine(on, at, zone(zone_name)).astimezone(dt.UTC)


@bp.post("/calendar/blocks")
@staff
def add_block():
    coach = acting_coach()
    form = BlockForm()
    if form.validate_on_submit():
        zone_name, on = coach.user.timezone, form.block_on.data
        # An end of 00:00 is midnight at the end of that day.
        end_on = on + dt.timedelta(days=1) if form.block_end.data == dt.time(0) else on
        try:
            hours.add_block(coach, _instant(on, form.block_start.data, zone_name),
                            _instant(end_on, form.block_end.data, zone_name), form.block_note.data)
        except DomainError as exc:
            _field_errors(form, exc, {"end": "block_end"})
            return _availability_page(coach, exc.status, block_form=form)
        flash("That time is blocked.", "success")
        return redirect(url_for(".availability", **coach_args(coach)))
    return _availability_page(coach, 422, block_form=form)


@bp.post("/calendar/blocks/<int:item_id>/remove")
@staff
def remove_block(item_id: int):
    coach = acting_coach()
    hours.remove_block(coach, item_id)
    flash("The blocked time is removed.", "success")
    return redirect(url_for(".availability", **coach_args(coach)))


# --- other calendars and the private feed ---------------------------------------------------------------

def _calendars_page(coach: CoachProfile, status: int = 200, **context):
    context.setdefault("upload_form", UploadCalendarForm(formdata=None))
    context.setdefault("address_form", CalendarAddressForm(formdata=None))
    return _page("scheduling/coach/calendars.html", coach, status, sources=calendars.list_calendars(coach),
                 feed=calendars.feed_for(coach), now=clock.now(), ago=ago, **context)


@bp.get("/calendar/calendars")
@staff
def calendar_sources():
    return _calendars_page(acting_coach())


@bp.post("/calendar/calendars/upload")
@staff
def upload_calendar():
    coach = acting_coach()
    form = UploadCalendarForm()
    if form.validate_on_submit():
        upload = form.file.data
        try:
            source = calendars.upload_calendar(coach, upload.filename or "", upload.read(), clock.now())
        except DomainError as exc:
            _field_errors(form, exc)
            return _calendars_page(coach, exc.status, upload_form=form)
        flash(f"{source.name}: {source.last_error}. They now keep those times free.", "success")
        return redirect(url_for(".calendar_sources", **coach_args(coach)))
    return _calendars_page(coach, 422, upload_form=form)


@bp.post("/calendar/calendars/address")
@staff
def add_calendar_address():
    coach = acting_coach()
    form = CalendarAddressForm()
    if form.validate_on_submit():
        try:
            source = calendars.add_calendar_url(coach, form.name.data, form.url.data, clock.now())
        except DomainError as exc:
            _field_errors(form, exc)
            return _calendars_page(coach, exc.status, address_form=form)
        if source.status == "ok":
            flash(f"{source.name} is connected: {source.last_error}.", "success")
        else:
            flash(f"{source.name} is saved, but we could not read it yet: {source.last_error}", "error")
        return redirect(url_for(".calendar_sources", **coach_args(coach)))
    return _calendars_page(coach, 422, address_form=form)


@bp.post("/calendar/calendars/<int:item_id>/refresh")
@staff
def refresh_calendar(item_id: int):
    coach = acting_coach()
    source = calendars.refresh_calendar(coach, item_id, clock.now())
    if source.status == "ok":
        flash(f"{source.name} is up to date: {source.last_error}.", "success")
    else:
        flash(f"{source.name} could not be read: {source.last_error}", "error")
    return redirect(url_for(".calendar_sources", **coach_args(coach)))


@bp.post("/calendar/calendars/<int:item_id>/remove")
@staff
def remove_calendar(item_id: int):
    coach = acting_coach()
    calendars.remove_calendar(coach, item_id)
    flash("The calendar is removed; its busy times no longer block bookings.", "success")
    return redirect(url_for(".calendar_sources", **coach_args(coach)))


@bp.post("/calendar/feed")
@staff
def reset_feed():
    coach = acting_coach()
    raw = calendars.reset_feed_token(coach, clock.now())
    feed_url = current_app.config["PUBLIC_BASE_URL"] + url_for("scheduling_feed.feed", token=raw)
    # Shown on this response only: the address is not stored, just its hash.
    return _calendars_page(coach, feed_url=feed_url)


@feed_bp.get("/calendar/feed/<token>.ics")
@public
def feed(token: str):
    coach = calendars.coach_for_feed(token)
    body = calendars.feed_ics(coach, clock.now(), current_app.config["PUBLIC_BASE_URL"])
    return Response(body, mimetype="text/calendar", headers={
        "Cache-Control": "private, no-store", "Content-Disposition": 'inline; filename="stride-lab-calls.ics"'})


# --- one call ---------------------------------------------------------------------------------------------

def _call_page(booking, status: int = 200, **forms):
    forms.setdefault("notes_form", CallNotesForm(formdata=None, notes=booking.notes, outcome=booking.outcome or ""))
    forms.setdefault("cancel_form", CancelCallForm(formdata=None))
    if "move_form" not in forms:
        start = local(booking.start_at, booking.coach.user.timezone)
        forms["move_form"] = MoveCallForm(formdata=None, move_on=start.date(), move_at=start.time())
    now = clock.now()
    return render_template("scheduling/coach/call.html", booking=booking, answers=calls.answers_with_labels(booking),
                           zone_name=booking.coach.user.timezone, started=booking.start_at <= now,
                           is_past=booking.end_at <= now, **forms), status


@bp.route("/calls/<int:booking_id>", methods=["GET", "POST"])
@staff
def call(booking_id: int):
    booking = calls.call_for(current_user, booking_id)
    if request.method == "GET":
        return _call_page(booking)
    form = CallNotesForm()
    if form.validate_on_submit():
        try:
            calls.record_outcome(booking, form.outcome.data, form.notes.data, clock.now())
        except DomainError as exc:
            _field_errors(form, exc)
            return _call_page(booking, exc.status, notes_form=form)
        flash("Notes saved.", "success")
        return redirect(url_for(".call", booking_id=booking.id))
    return _call_page(booking, 422, notes_form=form)


@bp.post("/calls/<int:booking_id>/cancel")
@staff
def cancel_call(booking_id: int):
    booking = calls.call_for(current_user, booking_id)
    form = CancelCallForm()
    if form.validate_on_submit():
        try:
            booking_service.cancel_booking(booking, reason=form.reason.data or "", by="coach", now=clock.now())
        except DomainError as exc:
            _field_errors(form, exc)
            return _call_page(booking, exc.status, cancel_form=form)
        flash(f"The call is cancelled. We are emailing {booking.invitee_name}.", "success")
        return redirect(url_for(".call", booking_id=booking.id))
    return _call_page(booking, 422, cancel_form=form)


@bp.post("/calls/<int:booking_id>/move")
@staff
def move_call(booking_id: int):
    booking = calls.call_for(current_user, booking_id)
    form = MoveCallForm()
    if form.validate_on_submit():
        start = _instant(form.move_on.data, form.move_at.data, booking.coach.user.timezone)
        try:
            booking_service.reschedule_booking(booking, start=start, by="coach", now=clock.now())
        except DomainError as exc:
            _field_errors(form, exc, {"start": "move_at"})
            return _call_page(booking, exc.status, move_form=form)
        flash(f"The call is moved. We are emailing {booking.invitee_name} the new time.", "success")
        return redirect(url_for(".call", booking_id=booking.id))
    return _call_page(booking, 422, move_form=form)


# --- event types --------------------------------------------------------------------------------------------

def _event_type(slug: str) -> EventType:
    event = db.session.scalar(select(EventType).where(EventType.slug == slug))
    if event is None:
        raise NotFound("There is no such kind of call.")
    return event


def _save_event(event: EventType | None):
    if request.method == "POST":
        form = EventTypeForm()
    else:
        form = EventTypeForm.showing(event, [current_user.coach.id] if current_user.coach else [])
    form.coaches.choices = [SelectChoice(c.id, c.name) for c in db.session.scalars(
        select(CoachProfile).join(User, User.id == CoachProfile.user_id).order_by(User.name))]
    template = "scheduling/coach/event_type.html"
    if form.validate_on_submit():
        try:
            saved = hours.save_event_type(event, title=form.title.data, slug=form.slug.data or "",
                                          description=form.description.data, settings=form.settings(),
                                          questions=[row.as_dict() for row in form.question_rows()],
                                          coach_ids=form.coaches.data, active=form.active.data, now=clock.now())
        except DomainError as exc:
            if not form.show_errors(exc):
                flash(exc.message, "error")
            return render_template(template, form=form, event=event), exc.status
        flash(f"{saved.title} is saved.", "success")
        return redirect(url_for(".event_types"))
    return render_template(template, form=form, event=event), 422 if form.errors else 200


@bp.get("/event-types")
@staff
def event_types():
    events = db.session.scalars(select(EventType).order_by(EventType.id)).all()
    return render_template("scheduling/coach/event_types.html", events=events)


@bp.route("/event-types/new", methods=["GET", "POST"])
@staff
def new_event_type():
    return _save_event(None)


@bp.route("/event-types/<slug>", methods=["GET", "POST"])
@staff
def edit_event_type(slug: str):
    return _save_event(_event_type(slug))
