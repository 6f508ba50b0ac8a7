"""The coach's booking profile: title, bio, video link, and whether they take new calls."""

from __future__ import annotations

from flask import flash, redirect, request, url_for

from portal.accounts import services as accounts
from portal.core.access import staff
from portal.core.errors import DomainError
from portal.scheduling.coach_forms import BookingProfileForm
from portal.scheduling.coach_views import bp
from portal.scheduling.coach_views.common import _field_errors, _page, acting_coach, coach_args


@bp.route("/calendar/profile", methods=["GET", "POST"])
@staff
def booking_profile():
    coach = acting_coach()
    form = BookingProfileForm(obj=coach if request.method == "GET" else None)
    if form.validate_on_submit():
        try:
            accounts.update_coach_profile(coach, title=form.title.data, bio=form.bio.data,
                                          video_url=form.video_url.data, takes_bookings=form.takes_bookings.data)
        except DomainError as exc:
            _field_errors(form, exc)
            return _page("scheduling/coach/profile.html", coach, exc.status, form=form)
        flash("Your booking profile is saved.", "success")
        return redirect(url_for(".booking_profile", **coach_args(coach)))
    return _page("scheduling/coach/profile.html", coach, 422 if form.errors else 200, form=form)
