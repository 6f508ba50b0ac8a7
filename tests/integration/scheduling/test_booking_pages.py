"""The booking pages without JavaScript: pick a time, answer the intake, confirm, manage."""
from __future__ import annotations

import re

import pytest

from tests.integration.scheduling.conftest import count_bookings


def _token(html: str) -> str:
    m = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html) or re.search(r'value="([^"]+)"[^>]*name="csrf_token"',
                                                                             html)
    return m.group(1)


def test_the_booking_page_lists_times_in_the_asked_zone_as_links(client, ny_coach, frozen):
    page = client.get(f"/book/strategy-call/{ny_coach.coach.slug}?timezone=Europe/London&date=2026-12-08")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "Europe/London".replace("_", " ") in html
    assert re.search(r'<a class="slot" href="[^"]+"[^>]*>2:00 pm</a>', html)
    assert "Nora York" in html


def test_an_unknown_zone_is_a_400_that_says_so_and_still_shows_utc_times(client, ny_coach, frozen):
    page = client.get("/book/strategy-call?timezone=Atlantis/Capital&date=2026-12-08")
    assert page.status_code == 400
    assert "not a time zone we know" in page.get_data(as_text=True)


def test_unknown_event_or_coach_is_a_friendly_404(client, ny_coach):
    assert client.get("/book/no-such-call").status_code == 404
    assert client.get("/book/strategy-call/nobody").status_code == 404


def _details(client, start="2026-12-08T14:00:00+00:00"):
    page = client.get("/booking/details/strategy-call", query_string={"start": start, "timezone": "Europe/London"})
    assert page.status_code == 200
    return _token(page.get_data(as_text=True))


FORM = {"name": "Pat Runner", "email": "pat@example.com", "start": "2026-12-08T14:00:00+00:00",
        "timezone": "Europe/London", "q_goal": "Sub-4 marathon", "q_injury": "Knee, 3 months",
        "q_weekly_mileage": "25", "q_next_race_on": "2027-04-20", "website": ""}


def test_the_intake_form_books_and_the_confirmation_shows_the_time_in_the_visitors_zone(client, ny_coach, frozen):
    token = _details(client)
    response = client.post("/booking/details/strategy-call", data=FORM | {"csrf_token": token})
    assert response.status_code == 303
    confirmation = client.get(response.headers["Location"])
    html = confirmation.get_data(as_text=True)
    assert "You are booked, Pat!" in html
    assert "Tuesday 8 December 2026" in html and "2:00 pm" in html and "Europe/London".replace("_", " ") in html
    assert "calendar.google.com" in html and "outlook.live.com" in html and "/manage/" in html
    assert count_bookings() == 1


@pytest.mark.parametrize("change", [{"email": "nope"}, {"name": ""}, {"q_goal": ""}, {"q_weekly_mileage": "many"},
                                    {"q_next_race_on": "2027-13-45"}, {"website": "http://bot.example"}])
def test_bad_intake_input_is_shown_on_the_form_and_books_nothing(client, ny_coach, frozen, change):
    token = _details(client)
    response = client.post("/booking/details/strategy-call", data=FORM | change | {"csrf_token": token})
    assert response.status_code == 422
    assert 'aria-invalid="true"' in response.get_data(as_text=True) or "Leave this empty" in response.get_data(
        as_text=True)
    assert count_bookings() == 0


def test_the_intake_form_needs_its_csrf_token(client, ny_coach, frozen):
    response = client.post("/booking/details/strategy-call", data=FORM)
    assert response.status_code == 400
    assert "expired" in response.get_data(as_text=True)
    assert count_bookings() == 0


def test_a_time_taken_meanwhile_sends_the_visitor_back_to_pick_another(client, ny_coach, frozen):
    token = _details(client)
    assert client.post("/booking/details/strategy-call", data=FORM | {"csrf_token": token}).status_code == 303
    second = client.application.test_client()
    token2 = _details(second)
    response = second.post("/booking/details/strategy-call",
                           data=FORM | {"csrf_token": token2, "email": "lee@example.com"})
    assert response.status_code == 303 and "/book/strategy-call" in response.headers["Location"]
    assert "just booked by someone else" in second.get(response.headers["Location"]).get_data(as_text=True)
    assert count_bookings() == 1


def _book_via_page(client) -> str:
    token = _details(client)
    response = client.post("/booking/details/strategy-call", data=FORM | {"csrf_token": token})
    return response.headers["Location"].rsplit("/", 1)[1]


def test_the_manage_page_moves_the_call_and_frees_the_old_time(client, ny_coach, frozen):
    manage = _book_via_page(client)
    page = client.get(f"/manage/{manage}?date=2026-12-09")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "Move to another time" in html
    response = client.post(f"/manage/{manage}/reschedule",
                           data={"csrf_token": _token(html), "start": "2026-12-09T15:00:00+00:00"})
    assert response.status_code == 303
    assert "Wednesday 9 December 2026" in client.get(response.headers["Location"]).get_data(as_text=True)
    slots = client.get("/api/v1/event-types/strategy-call/slots?start=2026-12-08&end=2026-12-08&timezone=UTC")
    assert "2026-12-08T14:00:00+00:00" in [s["start"] for s in slots.get_json()["slots"]]
    assert count_bookings() == 1


def test_the_manage_page_cancels_with_a_reason(client, ny_coach, frozen, mail):
    manage = _book_via_page(client)
    html = client.get(f"/manage/{manage}").get_data(as_text=True)
    response = client.post(f"/manage/{manage}/cancel", data={"csrf_token": _token(html), "reason": "Moved away"})
    assert response.status_code == 303
    assert "This call is cancelled" in client.get(f"/manage/{manage}").get_data(as_text=True)
    mail.deliver()
    assert any("Moved away" in m.get_body(("plain",)).get_content() for m in mail.sink.to(ny_coach.email))


def test_the_invite_file_downloads_as_text_calendar(client, ny_coach, frozen):
    manage = _book_via_page(client)
    response = client.get(f"/booking/invite/{manage}.ics")
    assert response.status_code == 200 and response.mimetype == "text/calendar"
    assert b"BEGIN:VCALENDAR" in response.data


def test_booking_is_rate_limited_per_email(tmp_path, smtp_sink):
    from tests.conftest import make_app, migrate_to_head

    app = make_app(f"sqlite:///{tmp_path / 'rl.db'}", tmp_path, smtp_sink.port, RATELIMIT_ENABLED=True,
                   RATELIMIT_BOOKING_EMAIL="2 per minute", RATELIMIT_STORAGE_URI="memory://")
    migrate_to_head(app)
    client = app.test_client()
    body = {"event_type": "strategy-call", "start": "2026-12-08T14:00:00+00:00", "timezone": "UTC", "name": "Pat",
            "email": "spam@example.com"}
    statuses = [client.post("/api/v1/bookings", json=body).status_code for _ in range(3)]
    assert statuses[:2] != [429, 429] and statuses[2] == 429
    assert client.post("/api/v1/bookings", json=body).get_json()["error"]["code"] == "rate_limited"


def test_bad_booking_requests_count_against_the_rate_limit_too(tmp_path, smtp_sink):
    from tests.conftest import make_app, migrate_to_head

    app = make_app(f"sqlite:///{tmp_path / 'rl.db'}", tmp_path, smtp_sink.port, RATELIMIT_ENABLED=True,
                   RATELIMIT_BOOKING_IP="3 per minute", RATELIMIT_STORAGE_URI="memory://")
    migrate_to_head(app)
    client = app.test_client()
    statuses = [client.post("/api/v1/bookings", json={"junk": True}).status_code for _ in range(4)]
    assert statuses == [422, 422, 422, 429]
