"""The coach's home page."""
from __future__ import annotations

import datetime as dt

from flask import Blueprint, render_template
from flask_login import current_user
from sqlalchemy import select

from portal.core import clock
from portal.core.access import staff
from portal.core.timezones import day_bounds, local
from portal.extensions import db
from portal.scheduling.models import Booking, BookingStatus

bp = Blueprint("coach", __name__, url_prefix="/coach")


@bp.get("")
@staff
def home():
    now = clock.now()
    tz = current_user.timezone
    today = local(now, tz).date()
    day_start, day_end = day_bounds(today, tz)
    query = select(Booking).where(Booking.status == BookingStatus.CONFIRMED)
    if current_user.coach is not None and not current_user.is_admin:
        query = query.where(Booking.coach_id == current_user.coach.id)
    today_calls = db.session.scalars(query.where(Booking.start_at >= day_start, Booking.start_at < day_end)
                                     .order_by(Booking.start_at)).all()
    new_bookings = db.session.scalars(query.where(Booking.created_at >= now - dt.timedelta(days=7),
                                                  Booking.start_at >= now)
                                      .order_by(Booking.created_at.desc()).limit(10)).all()
    return render_template("coach/home.html", today_calls=today_calls, new_bookings=new_bookings, today=today)
