"""The coach's other calendars (busy times) and the private subscription feed of their calls."""

from __future__ import annotations

from flask import Response, current_app, flash, redirect, url_for

from portal.accounts.models import CoachProfile
from portal.core import clock
from portal.core.access import public, staff
from portal.core.errors import DomainError
from portal.scheduling import calendars
from portal.scheduling.coach_forms import (
    CalendarAddressForm,
    UploadCalendarForm,
)
from portal.scheduling.coach_views import bp, feed_bp
from portal.scheduling.coach_views.common import _field_errors, _page, acting_coach, ago, coach_args


def _calendars_page(coach: CoachProfile, status: int = 200, **context):
    context.setdefault("upload_form", UploadCalendarForm(formdata=None))
    context.setdefault("address_form", CalendarAddressForm(formdata=None))
    return _page(
        "scheduling/coach/calendars.html",
        coach,
        status,
        sources=calendars.list_calendars(coach),
        feed=calendars.feed_for(coach),
        now=clock.now(),
        ago=ago,
        **context,
    )


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
    return Response(
        body,
        mimetype="text/calendar",
        headers={
            "Cache-Control": "private, no-store",
            "Content-Disposition": 'inline; filename="stride-lab-calls.ics"',
        },
    )


# --- one call ---------------------------------------------------------------------------------------------
