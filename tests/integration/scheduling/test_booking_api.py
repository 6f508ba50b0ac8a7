"""The scheduling API as DESIGN.md specifies it: slots, bookings, cancel, bad input."""
from __future__ import annotations

import datetime as dt
import json

import pytest
import time_machine

from tests.integration.scheduling.conftest import booking_body, count_bookings, open_event, set_hours

SLOTS = "/api/v1/event-types/strategy-call/slots"


def slots(client, start="2026-12-08", end="2026-12-08", zone="UTC", **extra):
    query = {"start": start, "end": end, "timezone": zone, **extra}
    return client.get(SLOTS, query_string=query)


def test_event_types_list_the_strategy_call_with_its_coaches(client, ny_coach):
    body = client.get("/api/v1/event-types").get_json()
    call = next(e for e in body if e["slug"] == "strategy-call")
    assert call["duration_minutes"] == 30
    assert call["coaches"] == [{"slug": ny_coach.coach.slug, "name": "Nora York"}]


def test_slots_for_a_london_viewer_of_a_new_york_coach_are_written_in_london_time(client, ny_coach, frozen):
    body = slots(client, zone="Europe/London").get_json()
    starts = [s["start"] for s in body["slots"]]
    assert body["timezone"] == "Europe/London"
    # 09:00 in New York (EST, -5) is 14:00 in London (GMT) on 8 December.
    assert starts[0] == "2026-12-08T14:00:00+00:00"
    assert "2026-12-08T16:30:00+00:00" in starts and "2026-12-08T17:00:00+00:00" not in starts  # lunch 12-13 NY
    assert all(s["coaches"] == [ny_coach.coach.slug] for s in body["slots"])


def test_slots_in_kathmandu_carry_the_quarter_hour_offset(client, ny_coach, frozen):
    body = slots(client, zone="Asia/Kathmandu", start="2026-12-08", end="2026-12-09").get_json()
    assert body["slots"]
    assert all(dt.datetime.fromisoformat(s["start"]).utcoffset() == dt.timedelta(hours=5, minutes=45)
               for s in body["slots"])


def test_a_day_in_the_viewers_zone_can_hold_two_of_the_coachs_days(client, ctx, frozen):
    from tests.factories import make_coach

    coach = make_coach("Aroha Kiwi", "Pacific/Auckland", email="aroha@stridelab.example")
    set_hours(coach, {"mon": [["09:00", "10:00"]], "tue": [["09:00", "10:00"]]})
    open_event()
    # Monday 14 Dec 09:00 in Auckland (NZDT, +13) is Sunday 13 Dec 10:00 in Honolulu (-10).
    body = slots(client, start="2026-12-13", end="2026-12-13", zone="Pacific/Honolulu").get_json()
    assert [s["start"] for s in body["slots"]] == ["2026-12-13T10:00:00-10:00", "2026-12-13T10:30:00-10:00"]


@pytest.mark.parametrize("query, field", [
    ({"timezone": "Mars/Olympus"}, "timezone"),
    ({"start": "2026-02-30"}, "start"),
    ({"start": "2026-12-10", "end": "2026-12-08"}, None),
    ({"start": "2026-12-01", "end": "2027-03-01"}, None),
    ({"start": "yesterday"}, "start"),
])
def test_bad_slot_queries_are_422_in_the_error_format(client, ny_coach, query, field):
    base = {"start": "2026-12-08", "end": "2026-12-08", "timezone": "UTC"}
    response = client.get(SLOTS, query_string={**base, **query})
    assert response.status_code == 422
    error = response.get_json()["error"]
    assert error["code"] == "invalid_input" and error["message"]
    if field:
        assert field in error["fields"]


def test_unknown_event_type_or_coach_is_404(client, ny_coach):
    assert client.get("/api/v1/event-types/nope/slots?start=2026-12-08&end=2026-12-08").status_code == 404
    assert slots(client, coach="someone-else").status_code == 404


def test_a_booking_answers_201_and_takes_the_time_off_the_list(client, ny_coach, frozen):
    response = client.post("/api/v1/bookings", json=booking_body("2026-12-08T14:00:00+00:00"))
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert set(body) >= {"id", "start", "end", "status", "coach", "manage_url"}
    assert body["start"] == "2026-12-08T14:00:00+00:00" and body["end"] == "2026-12-08T14:30:00+00:00"
    assert body["status"] == "confirmed" and body["coach"]["slug"] == ny_coach.coach.slug
    assert body["manage_url"].startswith("http://127.0.0.1:5000/manage/")
    starts = [s["start"] for s in slots(client, zone="Europe/London").get_json()["slots"]]
    assert "2026-12-08T14:00:00+00:00" not in starts and "2026-12-08T14:30:00+00:00" in starts


def test_the_same_time_twice_is_409_slot_unavailable(client, ny_coach, frozen):
    assert client.post("/api/v1/bookings", json=booking_body("2026-12-08T14:00:00+00:00")).status_code == 201
    again = client.post("/api/v1/bookings", json=booking_body("2026-12-08T09:00:00-05:00", email="lee@example.com"))
    assert again.status_code == 409
    assert again.get_json()["error"]["code"] == "slot_unavailable"


def test_buffers_keep_the_neighbouring_slots_free_of_calls(client, ny_coach, frozen):
    open_event(buffer_after_minutes=15)
    assert client.post("/api/v1/bookings", json=booking_body("2026-12-08T14:00:00+00:00")).status_code == 201
    starts = [s["start"] for s in slots(client).get_json()["slots"]]
    assert "2026-12-08T14:30:00+00:00" not in starts  # 14:30 + its buffer touches 14:00's buffer
    assert "2026-12-08T15:00:00+00:00" in starts


BAD_BODIES = [
    ({"start": "2026-12-08T14:07:00+00:00"}, 422),   # off the grid
    ({"start": "2026-12-08T14:00:30+00:00"}, 422),   # seconds
    ({"start": "2026-12-01T14:00:00+00:00"}, 422),   # in the past
    ({"start": "2027-06-01T14:00:00+00:00"}, 422),   # past the booking window
    ({"start": "2026-12-08T14:00:00"}, 422),         # no offset
    ({"email": "not-an-email"}, 422),
    ({"name": ""}, 422),
    ({"name": "x" * 121}, 422),
    ({"timezone": "Nowhere/Land"}, 422),
    ({"answers": {"goal": ""}}, 422),                 # a required answer missing
    ({"answers": {"goal": "x", "injury": "y", "weekly_mileage": "lots"}}, 422),
    ({"answers": {"goal": "x", "injury": "y", "shoe_size": "9"}}, 422),
    ({"answers": ["not", "an", "object"]}, 422),
    ({"website": "http://spam.example"}, 422),       # the honeypot
    ({"coach": "Not A Slug!"}, 422),
    ({"event_type": "no-such-call"}, 404),
    ({"unexpected": "field"}, 422),
]


@pytest.mark.parametrize("change, status", BAD_BODIES)
def test_bad_booking_input_is_refused_and_changes_nothing(client, ny_coach, frozen, change, status):
    response = client.post("/api/v1/bookings", json=booking_body("2026-12-08T14:00:00+00:00") | change)
    assert response.status_code == status, response.get_json()
    assert response.get_json()["error"]["message"]
    assert count_bookings() == 0


@pytest.mark.parametrize("data, content_type, status", [
    (b"[1, 2]", "application/json", 422),
    (b'"text"', "application/json", 422),
    (b"{not json", "application/json", 400),
    (b'{"a": 1}', "text/plain", 415),
    (b'{"x": "' + b"a" * 70_000 + b'"}', "application/json", 413),
])
def test_malformed_bodies_get_a_clear_4xx(client, ny_coach, data, content_type, status):
    response = client.post("/api/v1/bookings", data=data, content_type=content_type)
    assert response.status_code == status
    assert response.get_json()["error"]["code"]
    assert count_bookings() == 0


def test_cancel_with_the_manage_token_frees_the_time(client, ny_coach, frozen):
    made = client.post("/api/v1/bookings", json=booking_body("2026-12-08T14:00:00+00:00")).get_json()
    token = made["manage_url"].rsplit("/", 1)[1]
    response = client.post("/api/v1/bookings/cancel", json={"token": token, "reason": "Found a coach nearby"})
    assert response.status_code == 200 and response.get_json()["status"] == "cancelled"
    starts = [s["start"] for s in slots(client, zone="Europe/London").get_json()["slots"]]
    assert "2026-12-08T14:00:00+00:00" in starts
    assert client.post("/api/v1/bookings/cancel", json={"token": token}).status_code == 422


def test_forged_manage_tokens_are_refused(client, ny_coach, frozen):
    made = client.post("/api/v1/bookings", json=booking_body("2026-12-08T14:00:00+00:00")).get_json()
    token = made["manage_url"].rsplit("/", 1)[1]
    forged = token[:-3] + ("aaa" if not token.endswith("aaa") else "bbb")
    response = client.post("/api/v1/bookings/cancel", json={"token": forged})
    assert response.status_code == 400 and response.get_json()["error"]["code"] == "invalid_token"
    assert client.get(f"/manage/{forged}").status_code == 404


def test_cancelling_inside_the_notice_is_refused(client, ny_coach, frozen):
    made = client.post("/api/v1/bookings", json=booking_body("2026-12-08T14:00:00+00:00")).get_json()
    token = made["manage_url"].rsplit("/", 1)[1]
    frozen.move_to(dt.datetime(2026, 12, 8, 13, 0, tzinfo=dt.UTC))  # one hour before; notice is two
    response = client.post("/api/v1/bookings/cancel", json={"token": token})
    assert response.status_code == 403
    assert "hours before" in response.get_json()["error"]["message"]


def test_availability_round_trips_through_the_api(client, ctx, frozen):
    from portal.accounts.services import create_api_token
    from tests.factories import make_coach

    make_coach("Api Coach", "America/Chicago", email="api@stridelab.example")
    token = create_api_token("api@stridelab.example", dt.datetime.now(dt.UTC))
    headers = {"Authorization": f"Bearer {token}"}
    weekly = {d: [] for d in ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]}
    weekly["mon"] = [["09:00", "12:00"], ["13:00", "17:00"]]
    body = {"timezone": "America/Chicago", "weekly": weekly, "overrides": [{"date": "2026-12-24", "intervals": []}]}
    assert client.put("/api/v1/me/availability", json=body, headers=headers).status_code == 200
    got = client.get("/api/v1/me/availability", headers=headers).get_json()
    assert got["timezone"] == "America/Chicago" and got["weekly"]["mon"] == weekly["mon"]
    assert got["overrides"] == [{"date": "2026-12-24", "intervals": []}]
    assert client.get("/api/v1/me/availability").status_code == 401


@pytest.mark.parametrize("weekly, message", [
    ({"mon": [["12:00", "09:00"]]}, "ends before"),
    ({"mon": [["09:00", "12:00"], ["11:00", "13:00"]]}, "overlaps"),
    ({"mon": [["9am", "12:00"]]}, "HH:MM"),
    ({"funday": []}, "days are"),
])
def test_bad_availability_is_422_and_changes_nothing(client, ctx, weekly, message):
    from portal.accounts.services import create_api_token
    from tests.factories import make_coach

    make_coach("Api Coach", "UTC", email="api@stridelab.example")
    token = create_api_token("api@stridelab.example", dt.datetime.now(dt.UTC))
    headers = {"Authorization": f"Bearer {token}"}
    response = client.put("/api/v1/me/availability", json={"timezone": "UTC", "weekly": weekly}, headers=headers)
    assert response.status_code == 422
    assert message in json.dumps(response.get_json())
    assert client.get("/api/v1/me/availability", headers=headers).get_json()["weekly"]["mon"] == []


def test_me_bookings_lists_calls_with_the_invitees_zone(client, ny_coach, frozen):
    from portal.accounts.services import create_api_token

    client.post("/api/v1/bookings", json=booking_body("2026-12-08T14:00:00+00:00"))
    token = create_api_token(ny_coach.email, dt.datetime.now(dt.UTC))
    body = client.get("/api/v1/me/bookings?start=2026-12-08&end=2026-12-08",
                      headers={"Authorization": f"Bearer {token}"}).get_json()
    [row] = body["bookings"]
    assert row["start"] == "2026-12-08T09:00:00-05:00"  # in the coach's zone
    assert row["invitee"] == {"name": "Pat Runner", "email": "pat@example.com", "timezone": "Europe/London"}
    assert row["status"] == "confirmed" and row["event_type"] == "strategy-call"
    assert row["answers"]["goal"] == "Sub-4 marathon"


def test_patch_event_type_changes_the_settings_slots_obey(client, ny_coach, frozen):
    from portal.accounts.services import create_api_token

    token = create_api_token(ny_coach.email, dt.datetime.now(dt.UTC))
    headers = {"Authorization": f"Bearer {token}"}
    response = client.patch("/api/v1/event-types/strategy-call", headers=headers,
                            json={"duration_minutes": 60, "slot_interval_minutes": 60, "daily_limit": 1})
    assert response.status_code == 200 and response.get_json()["daily_limit"] == 1
    starts = [s["start"] for s in slots(client).get_json()["slots"]]
    assert starts[:3] == ["2026-12-08T14:00:00+00:00", "2026-12-08T15:00:00+00:00", "2026-12-08T16:00:00+00:00"]
    assert client.patch("/api/v1/event-types/strategy-call", headers=headers,
                        json={"duration_minutes": 0}).status_code == 422
    assert client.patch("/api/v1/event-types/strategy-call", json={"duration_minutes": 45}).status_code == 401


def test_without_a_named_coach_round_robin_spreads_calls_and_respects_daily_limits(client, ctx, frozen):
    from tests.factories import make_coach

    a = make_coach("Alex First", "UTC", email="alex@stridelab.example")
    b = make_coach("Blair Second", "UTC", email="blair@stridelab.example")
    for coach in (a, b):
        set_hours(coach, {"tue": [["09:00", "12:00"]]})
    open_event(daily_limit=1)
    first = client.post("/api/v1/bookings", json=booking_body("2026-12-08T09:00:00+00:00")).get_json()
    second = client.post("/api/v1/bookings", json=booking_body("2026-12-08T10:00:00+00:00",
                                                                email="lee@example.com")).get_json()
    assert {first["coach"]["slug"], second["coach"]["slug"]} == {a.coach.slug, b.coach.slug}
    # Both coaches have met their limit for that day: nothing is left to book.
    assert slots(client).get_json()["slots"] == []
    third = client.post("/api/v1/bookings", json=booking_body("2026-12-08T11:00:00+00:00", email="kim@example.com"))
    assert third.status_code == 409


def test_cached_slot_lists_follow_any_change_to_the_calendar_even_a_bulk_statement(client, ny_coach, frozen):
    from sqlalchemy import delete, insert

    from portal.extensions import db
    from portal.scheduling.models import BlockedTime, WeeklyHours

    assert slots(client).get_json()["slots"]
    assert slots(client).get_json()["slots"]  # served from the cache this time
    with client.application.app_context():
        db.session.execute(insert(BlockedTime).values(
            coach_id=ny_coach.coach.id, start_at=dt.datetime(2026, 12, 8, 14, tzinfo=dt.UTC),
            end_at=dt.datetime(2026, 12, 8, 15, tzinfo=dt.UTC), note="dentist"))
        db.session.commit()
    starts = [s["start"] for s in slots(client).get_json()["slots"]]
    assert "2026-12-08T14:00:00+00:00" not in starts and "2026-12-08T15:00:00+00:00" in starts
    with client.application.app_context():
        db.session.execute(delete(WeeklyHours).where(WeeklyHours.coach_id == ny_coach.coach.id))
        db.session.commit()
    assert slots(client).get_json()["slots"] == []


def test_a_cached_list_never_offers_a_time_that_has_fallen_inside_the_notice(client, ny_coach, frozen):
    open_event(minimum_notice_minutes=60)
    frozen.move_to(dt.datetime(2026, 12, 8, 12, 59, 5, tzinfo=dt.UTC))
    assert slots(client).get_json()["slots"][0]["start"] == "2026-12-08T14:00:00+00:00"
    frozen.move_to(dt.datetime(2026, 12, 8, 12, 59, 55, tzinfo=dt.UTC))  # same minute: a cache hit
    assert slots(client).get_json()["slots"][0]["start"] == "2026-12-08T14:00:00+00:00"
    frozen.move_to(dt.datetime(2026, 12, 8, 13, 0, 1, tzinfo=dt.UTC))
    assert slots(client).get_json()["slots"][0]["start"] == "2026-12-08T14:30:00+00:00"


def test_a_manage_link_expires_thirty_days_after_the_call(client, ny_coach, frozen):
    made = client.post("/api/v1/bookings", json=booking_body("2026-12-08T14:00:00+00:00")).get_json()
    token = made["manage_url"].rsplit("/", 1)[1]
    assert client.get(f"/manage/{token}").status_code == 200
    frozen.move_to(dt.datetime(2027, 1, 8, 15, 0, tzinfo=dt.UTC))
    assert client.get(f"/manage/{token}").status_code == 404
    response = client.post("/api/v1/bookings/cancel", json={"token": token})
    assert response.status_code == 400 and "expired" in response.get_json()["error"]["message"]


def test_a_new_york_coach_keeps_nine_oclock_local_across_both_dst_changes(client, ny_coach):
    with time_machine.travel(dt.datetime(2026, 3, 1, 12, 0, tzinfo=dt.UTC), tick=False):
        march = slots(client, start="2026-03-06", end="2026-03-09").get_json()["slots"]
    firsts = {s["start"][:10]: s["start"] for s in reversed(march)}
    assert firsts["2026-03-06"] == "2026-03-06T14:00:00+00:00"  # Friday, EST (-5)
    assert firsts["2026-03-09"] == "2026-03-09T13:00:00+00:00"  # Monday after the spring change, EDT (-4)
    with time_machine.travel(dt.datetime(2026, 10, 25, 12, 0, tzinfo=dt.UTC), tick=False):
        november = slots(client, start="2026-10-30", end="2026-11-02", zone="America/New_York").get_json()["slots"]
    local_firsts = {s["start"][:10]: s["start"] for s in reversed(november)}
    assert local_firsts["2026-10-30"] == "2026-10-30T09:00:00-04:00"
    assert local_firsts["2026-11-02"] == "2026-11-02T09:00:00-05:00"


@pytest.mark.parametrize("start, end", [("0001-01-01", "0001-01-01"), ("9999-12-25", "9999-12-31")])
def test_dates_at_the_ends_of_the_calendar_are_refused_not_crashed_on(client, ny_coach, start, end):
    response = client.get(SLOTS, query_string={"start": start, "end": end, "timezone": "Pacific/Kiritimati"})
    assert response.status_code == 422
    page = client.get("/book/strategy-call", query_string={"date": "9999-12-31", "timezone": "Pacific/Kiritimati"})
    assert page.status_code == 400 and "too far ahead" in page.get_data(as_text=True)
