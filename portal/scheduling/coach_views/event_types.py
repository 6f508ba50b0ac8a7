"""Kinds of call and their settings."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select
from wtforms import SelectChoice

from portal.accounts.models import CoachProfile, User
from portal.core import clock
from portal.core.access import staff
from portal.core.errors import DomainError, NotFound
from portal.extensions import db
from portal.scheduling import hours
from portal.scheduling.coach_forms import (
    EventTypeForm,
)
from portal.scheduling.coach_views import bp
from portal.scheduling.models import EventType


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
    form.coaches.choices = [
        SelectChoice(c.id, c.name)
        for c in db.session.scalars(
            select(CoachProfile).join(User, User.id == CoachProfile.user_id).order_by(User.name)
        )
    ]
    template = "scheduling/coach/event_type.html"
    if form.validate_on_submit():
        try:
            saved = hours.save_event_type(
                event,
                title=form.title.data,
                slug=form.slug.data or "",
                description=form.description.data,
                settings=form.settings(),
                questions=[row.as_dict() for row in form.question_rows()],
                coach_ids=form.coaches.data,
                active=form.active.data,
                now=clock.now(),
            )
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
