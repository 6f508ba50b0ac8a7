"""The coach's calendar: the week, weekly hours, dates and time off, other calendars, calls and event types.

Admins see every coach: `?coach=<slug>` on any of these pages acts on that coach's calendar. A coach who
asks for another coach's slug is refused (403)."""

from flask import Blueprint

bp = Blueprint("scheduling_coach", __name__, url_prefix="/coach")
# The private subscription feed lives outside /coach: calendar apps fetch it with no session.
feed_bp = Blueprint("scheduling_feed", __name__)

from portal.scheduling.coach_views import calendar, calls, event_types, profile, sources  # noqa: E402,F401
