"""The week view, weekly hours, date overrides, time off and blocked times."""

from __future__ import annotations

import datetime as dt

from flask import flash, redirect, request, url_for

from portal.accounts.models import CoachProfile
from portal.core import clock
from portal.core.access import staff
from portal.core.errors import DomainError, InvalidInput
from portal.core.timezones import local
from portal.scheduling import calls, hours
from portal.scheduling.coach_forms import (
    BlockForm,
    OverrideForm,
    TimeOffForm,
    WeeklyHoursForm,
    format_intervals,
)
from portal.scheduling.coach_views import bp
from portal.scheduling.coach_views.common import _field_errors, _page, acting_coach, coach_args, instant
from portal.scheduling.schemas import WEEKDAYS

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
    return _page(
        "scheduling/coach/calendar.html",
        coach,
        week=week,
        today=today,
        previous=week.first_day - dt.timedelta(days=7),
        following=week.first_day + dt.timedelta(days=7),
    )


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
    return _page(
        "scheduling/coach/availability.html",
        coach,
        status,
        rules=hours.upcoming_rules(coach, now),
        zone_name=coach.user.timezone,
        **forms,
    )


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
            hours.add_block(
                coach,
                instant(on, form.block_start.data, zone_name),
                instant(end_on, form.block_end.data, zone_name),
                form.block_note.data,
            )
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
