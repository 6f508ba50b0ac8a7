"""The head coach (an admin) invites coaches, and deactivates them; coaches cannot manage the team."""
from __future__ import annotations

import datetime as dt
import re

import pytest
import time_machine
from sqlalchemy import select

from portal.accounts.models import User
from portal.extensions import db
from portal.scheduling.models import STRATEGY_CALL, EventType, EventTypeCoach
from tests.conftest import Auth
from tests.factories import PASSWORD, make_coach

COACH_PASSWORD = "coach-password-123"


@pytest.fixture
def admin(ctx, auth):
    user = make_coach("Maya Torres", email="maya@stridelab.example", admin=True)
    assert auth.login("maya@stridelab.example").status_code == 302
    return user


def invite(auth, email="jo@stridelab.example", name="Jo Lane", zone="America/Chicago"):
    return auth.post("/admin/coaches", {"name": name, "email": email, "timezone": zone})


def invite_link(mail, address: str) -> str:
    mail.deliver()
    messages = mail.sink.to(address)
    assert messages, f"no invitation reached {address}"
    text = messages[-1].get_body(preferencelist=("plain",)).get_content()
    return re.search(r"http://127\.0\.0\.1:5000(/invite/[\w.\-]+)", text).group(1)


def set_deactivated(auth, user_id: int, active: bool = False):
    return auth.post(f"/admin/coaches/{user_id}/active", {"active": "1" if active else "0"})


def test_an_invited_coach_sets_a_password_from_the_email_and_reaches_the_coach_page(admin, app, auth, mail):
    response = invite(auth)
    assert response.status_code == 302
    coach = db.session.scalar(select(User).where(User.email == "jo@stridelab.example"))
    assert (coach.role, coach.timezone, coach.password_hash) == ("coach", "America/Chicago", None)
    path = invite_link(mail, "jo@stridelab.example")
    assert mail.sink.to("jo@stridelab.example")[0]["Subject"] == "You're invited to coach with Stride Lab"

    newcomer = Auth(app.test_client())
    page = newcomer.client.get(path)
    assert page.status_code == 200 and "Welcome, Jo" in page.get_data(as_text=True)
    response = newcomer.post(path, {"password": COACH_PASSWORD, "confirm": COACH_PASSWORD})
    assert response.status_code == 302 and response.headers["Location"] == "/coach"
    assert newcomer.client.get("/coach").status_code == 200

    later = Auth(app.test_client())
    assert later.login("jo@stridelab.example", COACH_PASSWORD).headers["Location"] == "/coach"
    assert later.client.get("/coach").status_code == 200
    assert newcomer.client.get(path).status_code == 400  # the invitation works once


def test_an_invited_coach_takes_strategy_calls(admin, auth):
    invite(auth)
    coach = db.session.scalar(select(User).where(User.email == "jo@stridelab.example"))
    call = db.session.scalar(select(EventType).where(EventType.slug == STRATEGY_CALL))
    assert db.session.get(EventTypeCoach, (call.id, coach.coach.id)) is not None


def test_an_invitation_link_expires_after_its_max_age(admin, app, auth, mail):
    invite(auth)
    path = invite_link(mail, "jo@stridelab.example")
    later = dt.datetime.now(dt.UTC) + dt.timedelta(seconds=app.config["INVITE_MAX_AGE"] + 5)
    with time_machine.travel(later):
        response = app.test_client().get(path)
    assert response.status_code == 400
    assert "expired" in response.get_data(as_text=True)


def test_inviting_an_email_that_already_has_an_account_is_refused(admin, auth, mail):
    response = invite(auth, email="MAYA@stridelab.example")
    assert response.status_code == 409
    mail.deliver()
    assert mail.sink.messages == []


def test_a_deactivated_coach_can_no_longer_log_in(admin, app, auth):
    coach = make_coach("Sam Patel", email="sam@stridelab.example")
    assert set_deactivated(auth, coach.id).status_code == 302
    db.session.expire_all()
    assert db.session.get(User, coach.id).active is False
    assert db.session.get(User, coach.id).coach.takes_bookings is False
    response = Auth(app.test_client()).login("sam@stridelab.example")
    assert response.status_code == 401
    assert "Email or password is not right." in response.get_data(as_text=True)


def test_a_coach_deactivated_while_logged_in_loses_access_at_once(admin, app, auth):
    make_coach("Sam Patel", email="sam@stridelab.example")
    sam = Auth(app.test_client())
    sam.login("sam@stridelab.example")
    assert sam.client.get("/coach").status_code == 200
    coach_id = db.session.scalar(select(User.id).where(User.email == "sam@stridelab.example"))
    set_deactivated(auth, coach_id)
    response = sam.client.get("/coach")
    assert response.status_code == 302 and response.headers["Location"].startswith("/login")


def test_a_reactivated_coach_can_log_in_again(admin, app, auth):
    coach = make_coach("Sam Patel", email="sam@stridelab.example")
    set_deactivated(auth, coach.id)
    set_deactivated(auth, coach.id, active=True)
    assert Auth(app.test_client()).login("sam@stridelab.example").status_code == 302


def test_an_admin_cannot_deactivate_their_own_account(admin, client, auth):
    response = set_deactivated(auth, admin.id)
    assert response.status_code == 302
    assert "You cannot deactivate your own account." in client.get("/admin/coaches").get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(User, admin.id).active is True


def test_a_coach_cannot_see_or_change_the_team(ctx, app):
    make_coach("Sam Patel", email="sam@stridelab.example")
    other = make_coach("Jordan Lee", email="jordan@stridelab.example")
    sam = Auth(app.test_client())
    sam.login("sam@stridelab.example")
    assert sam.client.get("/admin/coaches").status_code == 403
    assert sam.post("/admin/coaches", {"name": "X Y", "email": "x@stridelab.example",
                                       "timezone": "UTC"}).status_code == 403
    assert set_deactivated(sam, other.id).status_code == 403
    db.session.expire_all()
    assert db.session.get(User, other.id).active is True
    assert db.session.scalar(select(User).where(User.email == "x@stridelab.example")) is None


def test_a_member_cannot_see_the_team_page(ctx, app):
    from tests.factories import UserFactory

    UserFactory(email="member@example.com")
    member = Auth(app.test_client())
    member.login("member@example.com", PASSWORD)
    assert member.client.get("/admin/coaches").status_code == 403
