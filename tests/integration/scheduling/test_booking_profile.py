"""A coach's booking profile: what prospects see, and the video link that goes into every invitation."""
from __future__ import annotations

import re

import pytest


def _csrf(html: str) -> str:
    return re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html).group(1)


@pytest.fixture
def nora(ny_coach, auth):
    assert auth.login(ny_coach.email).status_code == 302
    return ny_coach


def test_a_coach_saves_title_bio_and_video_link_and_the_booking_page_shows_them(client, nora):
    page = client.get("/coach/calendar/profile")
    assert page.status_code == 200
    response = client.post("/coach/calendar/profile", data={
        "csrf_token": _csrf(page.get_data(as_text=True)), "title": "Associate coach, DPT",
        "bio": "Knees & <b>hips</b>.", "video_url": "https://meet.example.com/nora", "takes_bookings": "y"})
    assert response.status_code == 302
    booking_page = client.get(f"/book/strategy-call/{nora.coach.slug}").get_data(as_text=True)
    assert "Associate coach, DPT" in booking_page
    home = client.get("/").get_data(as_text=True)
    assert "Knees &amp; &lt;b&gt;hips&lt;/b&gt;." in home


@pytest.mark.parametrize("video_url", ["http://insecure.example.com/room", "javascript:alert(1)", "https://a b"])
def test_a_video_link_must_be_https_and_nothing_is_saved_otherwise(client, nora, video_url):
    page = client.get("/coach/calendar/profile")
    response = client.post("/coach/calendar/profile", data={
        "csrf_token": _csrf(page.get_data(as_text=True)), "title": "Coach", "video_url": video_url})
    assert response.status_code == 422
    assert "https://" in response.get_data(as_text=True)
    with client.application.app_context():
        from portal.accounts.models import CoachProfile
        from portal.extensions import db

        assert db.session.get(CoachProfile, nora.coach.id).video_url == ""


def test_a_coach_who_pauses_new_calls_leaves_the_booking_pages(client, nora):
    page = client.get("/coach/calendar/profile")
    client.post("/coach/calendar/profile", data={"csrf_token": _csrf(page.get_data(as_text=True)),
                                                 "title": "Coach"})
    assert client.get(f"/book/strategy-call/{nora.coach.slug}").status_code == 404
    types = client.get("/api/v1/event-types").get_json()
    assert all(c["slug"] != nora.coach.slug for e in types for c in e["coaches"])
