"""The home page: the business, the method, the programs, and the way to book a call."""
from __future__ import annotations

from flask import Blueprint, render_template
from sqlalchemy import select

from portal.accounts.models import CoachProfile, User
from portal.core.access import public
from portal.extensions import db

bp = Blueprint("site", __name__)

METHOD = [
    ("Gluteus maximus", "Your engine. Bridges and \"the humbler\" teach it to drive every stride."),
    ("Gluteus medius", "Your stabiliser. Band side-steps and clamshells stop the knee from diving in."),
    ("Deep hip rotators", "Quiet control of the hip, so the foot lands where you mean it to."),
    ("Quadriceps", "Lunges and slow step-downs build knees that take the downhill pounding."),
    ("Calves", "Single-leg calf raises to 25 slow reps a leg, then off a step, then loaded."),
]


@bp.get("/")
@public
def home():
    coaches = db.session.scalars(
        select(CoachProfile).join(User).where(User.active.is_(True), CoachProfile.takes_bookings.is_(True))
        .order_by(User.role.desc(), User.name)
    ).all()
    return render_template("site/home.html", method=METHOD, coaches=coaches)
