"""What every coach page shares: whose calendar it is, the page frame, error display."""

from __future__ import annotations

import datetime as dt

from flask import abort, flash, render_template, request
from flask_login import current_user
from sqlalchemy import select

from portal.accounts.models import CoachProfile, User
from portal.core.errors import DomainError, Forbidden, NotFound
from portal.core.timezones import zone
from portal.extensions import db
from portal.scheduling.coach_forms import (
    show_errors,
)

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
    return (
        {} if current_user.coach is not None and coach.id == current_user.coach.id else {"coach": coach.slug}
    )


def _page(template: str, coach: CoachProfile, status: int = 200, **context):
    coaches = []
    if current_user.is_admin:
        coaches = db.session.scalars(
            select(CoachProfile).join(User, User.id == CoachProfile.user_id).order_by(User.name)
        ).all()
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


def instant(on: dt.date, at: dt.time, zone_name: str) -> dt.datetime:
    """A wall-clock time in the coach's zone as UTC (a time skipped by a DST change moves forward)."""
    return dt.datetime.combine(on, at, zone(zone_name)).astimezone(dt.UTC)
