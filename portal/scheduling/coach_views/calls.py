"""One call: intake answers, notes and outcome; cancel or move it."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user

from portal.core import clock
from portal.core.access import staff
from portal.core.errors import DomainError
from portal.core.timezones import local
from portal.scheduling import booking as booking_service
from portal.scheduling import calls
from portal.scheduling.coach_forms import (
    CallNotesForm,
    CancelCallForm,
    MoveCallForm,
)
from portal.scheduling.coach_views import bp
from portal.scheduling.coach_views.common import _field_errors, instant


def _call_page(booking, status: int = 200, **forms):
    forms.setdefault(
        "notes_form", CallNotesForm(formdata=None, notes=booking.notes, outcome=booking.outcome or "")
    )
    forms.setdefault("cancel_form", CancelCallForm(formdata=None))
    if "move_form" not in forms:
        start = local(booking.start_at, booking.coach.user.timezone)
        forms["move_form"] = MoveCallForm(formdata=None, move_on=start.date(), move_at=start.time())
    now = clock.now()
    return render_template(
        "scheduling/coach/call.html",
        booking=booking,
        answers=calls.answers_with_labels(booking),
        zone_name=booking.coach.user.timezone,
        started=booking.start_at <= now,
        is_past=booking.end_at <= now,
        **forms,
    ), status


def _act_on_call(booking, form, form_name: str, action, done: str, rename: dict[str, str] | None = None):
    """Run `action()` once `form` is valid, then flash `done` and go back to the call; else show what is wrong."""
    if not form.validate_on_submit():
        return _call_page(booking, 422, **{form_name: form})
    try:
        action()
    except DomainError as exc:
        _field_errors(form, exc, rename)
        return _call_page(booking, exc.status, **{form_name: form})
    flash(done, "success")
    return redirect(url_for(".call", booking_id=booking.id))


@bp.route("/calls/<int:booking_id>", methods=["GET", "POST"])
@staff
def call(booking_id: int):
    booking = calls.call_for(current_user, booking_id)
    if request.method == "GET":
        return _call_page(booking)
    form = CallNotesForm()
    return _act_on_call(booking, form, "notes_form",
                        lambda: calls.record_outcome(booking, form.outcome.data, form.notes.data, clock.now()),
                        "Notes saved.")


@bp.post("/calls/<int:booking_id>/cancel")
@staff
def cancel_call(booking_id: int):
    booking = calls.call_for(current_user, booking_id)
    form = CancelCallForm()
    return _act_on_call(booking, form, "cancel_form",
                        lambda: booking_service.cancel_booking(booking, reason=form.reason.data or "", by="coach",
                                                               now=clock.now()),
                        f"The call is cancelled. We are emailing {booking.invitee_name}.")


@bp.post("/calls/<int:booking_id>/move")
@staff
def move_call(booking_id: int):
    booking = calls.call_for(current_user, booking_id)
    form = MoveCallForm()

    def move() -> None:
        start = instant(form.move_on.data, form.move_at.data, booking.coach.user.timezone)
        booking_service.reschedule_booking(booking, start=start, by="coach", now=clock.now())

    return _act_on_call(booking, form, "move_form", move,
                        f"The call is moved. We are emailing {booking.invitee_name} the new time.",
                        {"start": "move_at"})
