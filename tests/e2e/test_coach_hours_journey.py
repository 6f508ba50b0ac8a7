"""Journey 4 in part: a coach sets weekly hours and a day off, and the public booking page follows.

Also takes screenshots of the calendar pages at phone and desktop widths into tests/e2e/screenshots/
(git-ignored) for a person to look at, and checks them with axe."""
from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from tests.e2e.axe import assert_accessible
from tests.factories import PASSWORD, make_coach

pytestmark = pytest.mark.e2e

ZONE = "America/New_York"
SHOTS = Path(__file__).parent / "screenshots"
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


@pytest.fixture
def coach(app):
    from portal.core.timezones import local
    from portal.extensions import db
    from portal.scheduling import hours

    with app.app_context():
        user = make_coach("Jordan Miles", ZONE, email="jordan@stridelab.example")
        hours.update_event_type("strategy-call", {"minimum_notice_minutes": 0, "booking_window_days": 60})
        today = local(dt.datetime.now(dt.UTC), ZONE).date()
        slug = user.coach.slug
        db.session.remove()
    return {"email": "jordan@stridelab.example", "slug": slug, "today": today}


def _log_in(page, base: str, email: str) -> None:
    page.goto(f"{base}/login")
    page.fill("#email", email)
    page.fill("#password", PASSWORD)
    page.click("main form button[type=submit]")
    page.wait_for_url(f"{base}/coach")


def _times(page, day: dt.date) -> list[str]:
    return [t.strip() for t in page.locator(f'section[aria-labelledby="day-{day.isoformat()}"] a.slot').all_inner_texts()]


def test_a_coach_sets_hours_and_a_day_off_and_the_booking_page_follows(page, live_server, coach, app):
    base = live_server.url
    day_off = coach["today"] + dt.timedelta(days=2)
    working_day = coach["today"] + dt.timedelta(days=3)

    _log_in(page, base, coach["email"])
    page.get_by_role("link", name="Calendar", exact=True).click()
    page.get_by_role("navigation", name="Calendar pages").get_by_role("link", name="Weekly hours").click()
    page.select_option("#timezone", ZONE)
    for day in WEEKDAYS:
        page.fill(f"#{day}", "10:00-12:00, 14:00-15:00")
    page.get_by_role("button", name="Save weekly hours").click()
    assert page.get_by_text("Your weekly hours are saved.").is_visible()
    assert page.input_value("#wed") == "10:00-12:00, 14:00-15:00"

    page.get_by_role("navigation", name="Calendar pages").get_by_role("link", name="Dates and time off").click()
    page.fill("#override_on", day_off.isoformat())
    page.fill("#override_intervals", "")
    page.get_by_role("button", name="Save the date").click()
    assert page.get_by_text(f"{day_off:%A %-d %B} is now a day off.").is_visible()

    page.goto(f"{base}/book/strategy-call/{coach['slug']}?timezone={ZONE}&date={coach['today'].isoformat()}")
    page.wait_for_load_state("networkidle")
    day_off_section = page.locator(f'section[aria-labelledby="day-{day_off.isoformat()}"]')
    assert day_off_section.get_by_text("No free times this day.").is_visible()
    assert _times(page, day_off) == []
    assert _times(page, working_day) == ["10:00 am", "10:30 am", "11:00 am", "11:30 am", "2:00 pm", "2:30 pm"]

    _screenshots_of_the_calendar_pages(page, base, coach, app, working_day)


def _screenshots_of_the_calendar_pages(page, base: str, coach: dict, app, working_day: dt.date) -> None:
    booking_id = _fill_the_week(app, coach, working_day)
    pages = {
        "coach-calendar": f"/coach/calendar?week={working_day.isoformat()}",
        "coach-hours": "/coach/calendar/hours",
        "coach-availability": "/coach/calendar/availability",
        "coach-calendars": "/coach/calendar/calendars",
        "coach-call": f"/coach/calls/{booking_id}",
        "coach-event-type": "/coach/event-types/strategy-call",
    }
    SHOTS.mkdir(exist_ok=True)
    for width in (375, 1280):
        page.set_viewport_size({"width": width, "height": 900})
        for name, path in pages.items():
            page.goto(base + path)
            assert page.locator("h1").first.is_visible()
            page.screenshot(path=str(SHOTS / f"{name}-{width}.png"), full_page=True)
            overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
            assert overflow <= 0, f"{path} scrolls sideways at {width}px"
            assert_accessible(page, f"{path} at {width}px")


def _fill_the_week(app, coach: dict, day: dt.date) -> int:
    """A call, a cancelled call, a blocked time and a busy time, so the screenshots show every kind."""
    from portal.core.timezones import zone
    from portal.extensions import db
    from portal.scheduling import booking, hours
    from portal.scheduling.models import BusyTime, CalendarSource

    def at(hour: int, minute: int = 0) -> dt.datetime:
        return dt.datetime.combine(day, dt.time(hour, minute), zone(ZONE)).astimezone(dt.UTC)

    with app.app_context():
        from portal.accounts.models import CoachProfile

        profile = db.session.query(CoachProfile).filter_by(slug=coach["slug"]).one()
        now = dt.datetime.now(dt.UTC)
        answers = {"goal": "Run a sub-4 marathon <b>this year</b>", "injury": "Runner's knee, 3 months",
                   "weekly_mileage": "25"}
        made = booking.book_call(event_slug="strategy-call", start=at(10), answers=answers, coach_slug=coach["slug"],
                                 invitee=booking.Invitee("Pat Runner", "pat@example.com", "Europe/London"),
                                 now=now, secret_key=app.config["SECRET_KEY"])
        other = booking.book_call(event_slug="strategy-call", start=at(11), answers={"goal": "5k", "injury": "Shins"},
                                  coach_slug=coach["slug"],
                                  invitee=booking.Invitee("Sam Stride", "sam@example.com", "America/Chicago"),
                                  now=now, secret_key=app.config["SECRET_KEY"])
        booking.cancel_booking(other.booking, reason="Travelling", by="invitee", now=now)
        hours.add_block(profile, at(14), at(14, 30), "Physio appointment")
        source = CalendarSource(coach_id=profile.id, kind="upload", name="family.ics", url="", status="ok",
                                last_error="1 busy time", last_fetched_at=now, created_at=now)
        db.session.add(source)
        db.session.flush()
        db.session.add(BusyTime(coach_id=profile.id, source_id=source.id, start_at=at(16), end_at=at(17, 30)))
        hours.add_time_off(profile, day + dt.timedelta(days=1), day + dt.timedelta(days=1), "Race weekend")
        db.session.commit()
        booking_id = made.booking.id
        db.session.remove()
    return booking_id
