"""Who may see each route: a table of every rule in `app.url_map` x role, checked against the real app.

A new route fails `test_every_route_is_in_the_roles_table` until it gets a row in EXPECTED, and its behaviour
is checked by `test_every_route_answers_each_role_as_its_access_declares` from its `access` attribute alone.
"""
from __future__ import annotations

import pytest
from flask import Blueprint
from werkzeug.routing import IntegerConverter

from portal.core.access import PUBLIC, public, undeclared_endpoints
from tests.conftest import Auth
from tests.factories import UserFactory, make_coach

ROLES = ("anonymous", "member", "coach", "admin")
API_STAFF = ("api-token:coach", "api-token:admin")

# (rule, method) -> status for (anonymous, member, coach, admin). Path parameters take SAMPLES; a POST
# carries the session's CSRF token and nothing else (an empty form). Staff API calls carry the coach's or the
# admin's bearer token; the member has only a session cookie, which never authenticates the API.
EXPECTED: dict[tuple[str, str], tuple[int, int, int, int]] = {
    # the site
    ("/", "GET"): (200, 200, 200, 200),
    ("/healthz", "GET"): (200, 200, 200, 200),
    # accounts
    ("/login", "GET"): (200, 200, 200, 200),
    ("/login", "POST"): (422, 422, 422, 422),
    ("/register", "GET"): (200, 302, 302, 302),
    ("/register", "POST"): (422, 302, 302, 302),
    ("/logout", "GET"): (302, 200, 200, 200),
    ("/logout", "POST"): (302, 302, 302, 302),
    ("/reset-password", "GET"): (200, 200, 200, 200),
    ("/reset-password", "POST"): (422, 422, 422, 422),
    ("/reset-password/<token>", "GET"): (400, 400, 400, 400),
    ("/reset-password/<token>", "POST"): (400, 400, 400, 400),
    ("/invite/<token>", "GET"): (400, 400, 400, 400),
    ("/invite/<token>", "POST"): (400, 400, 400, 400),
    ("/account", "GET"): (302, 200, 200, 200),
    ("/account", "POST"): (302, 302, 302, 302),  # fields left out keep their saved values
    ("/account/password", "GET"): (302, 200, 200, 200),
    ("/account/password", "POST"): (302, 422, 422, 422),
    ("/admin/coaches", "GET"): (302, 403, 403, 200),
    ("/admin/coaches", "POST"): (302, 403, 403, 422),
    ("/admin/coaches/<int:user_id>/active", "POST"): (302, 403, 403, 302),
    # the coach's pages
    ("/coach", "GET"): (302, 403, 200, 200),
    # the coach's calendar, calls and event types (a made-up id finds nothing)
    ("/coach/calendar", "GET"): (302, 403, 200, 200),
    ("/coach/calendar/availability", "GET"): (302, 403, 200, 200),
    ("/coach/calendar/hours", "GET"): (302, 403, 200, 200),
    ("/coach/calendar/hours", "POST"): (302, 403, 422, 422),
    ("/coach/calendar/overrides", "POST"): (302, 403, 422, 422),
    ("/coach/calendar/overrides/<int:item_id>/remove", "POST"): (302, 403, 404, 404),
    ("/coach/calendar/time-off", "POST"): (302, 403, 422, 422),
    ("/coach/calendar/time-off/<int:item_id>/remove", "POST"): (302, 403, 404, 404),
    ("/coach/calendar/blocks", "POST"): (302, 403, 422, 422),
    ("/coach/calendar/blocks/<int:item_id>/remove", "POST"): (302, 403, 404, 404),
    ("/coach/calendar/calendars", "GET"): (302, 403, 200, 200),
    ("/coach/calendar/calendars/address", "POST"): (302, 403, 422, 422),
    ("/coach/calendar/calendars/upload", "POST"): (302, 403, 422, 422),
    ("/coach/calendar/calendars/<int:item_id>/refresh", "POST"): (302, 403, 404, 404),
    ("/coach/calendar/calendars/<int:item_id>/remove", "POST"): (302, 403, 404, 404),
    ("/coach/calendar/feed", "POST"): (302, 403, 200, 200),
    ("/coach/calendar/profile", "GET"): (302, 403, 200, 200),
    ("/coach/calendar/profile", "POST"): (302, 403, 422, 422),
    ("/coach/calls/<int:booking_id>", "GET"): (302, 403, 404, 404),
    ("/coach/calls/<int:booking_id>", "POST"): (302, 403, 404, 404),
    ("/coach/calls/<int:booking_id>/cancel", "POST"): (302, 403, 404, 404),
    ("/coach/calls/<int:booking_id>/move", "POST"): (302, 403, 404, 404),
    ("/coach/event-types", "GET"): (302, 403, 200, 200),
    ("/coach/event-types/new", "GET"): (302, 403, 200, 200),
    ("/coach/event-types/new", "POST"): (302, 403, 422, 422),
    ("/coach/event-types/<slug>", "GET"): (302, 403, 200, 200),
    ("/coach/event-types/<slug>", "POST"): (302, 403, 422, 422),
    # development mail (mounted only outside production)
    ("/dev/mail", "GET"): (200, 200, 200, 200),
    ("/dev/mail/<int:email_id>", "GET"): (200, 200, 200, 200),
    ("/dev/mail/<int:email_id>/html", "GET"): (200, 200, 200, 200),
    # booking pages (a made-up token finds nothing)
    ("/book/<event_slug>", "GET"): (200, 200, 200, 200),
    ("/book/<event_slug>/<coach_slug>", "GET"): (200, 200, 200, 200),
    ("/booking/details/<event_slug>", "GET"): (422, 422, 422, 422),
    ("/booking/details/<event_slug>", "POST"): (422, 422, 422, 422),
    ("/booking/confirmed/<token>", "GET"): (404, 404, 404, 404),
    ("/booking/invite/<token>.ics", "GET"): (404, 404, 404, 404),
    ("/manage/<token>", "GET"): (404, 404, 404, 404),
    ("/manage/<token>/cancel", "POST"): (404, 404, 404, 404),
    ("/manage/<token>/reschedule", "POST"): (404, 404, 404, 404),
    ("/calendar/feed/<token>.ics", "GET"): (404, 404, 404, 404),
    # JSON API: an empty body or query is invalid input; staff calls need a coach's or an admin's token
    ("/api/v1/openapi.json", "GET"): (200, 200, 200, 200),
    ("/api/v1/event-types", "GET"): (200, 200, 200, 200),
    ("/api/v1/event-types/<slug>/slots", "GET"): (422, 422, 422, 422),
    ("/api/v1/bookings", "POST"): (422, 422, 422, 422),
    ("/api/v1/bookings/cancel", "POST"): (422, 422, 422, 422),
    ("/api/v1/event-types/<slug>", "PATCH"): (401, 401, 200, 200),
    ("/api/v1/me/availability", "GET"): (401, 401, 200, 200),
    ("/api/v1/me/availability", "PUT"): (401, 401, 422, 422),
    ("/api/v1/me/bookings", "GET"): (401, 401, 422, 422),
}


def _logout_last(rule_method):
    rule, method = rule_method
    return rule.endpoint == "accounts.logout", rule.rule, method


def _rules(app):
    for rule in app.url_map.iter_rules():
        if rule.endpoint == "static" or rule.endpoint.endswith(".static"):
            continue
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            yield rule, method


class World:
    """A member, a coach and an admin with logged-in clients, plus rows for every path parameter."""

    def __init__(self, app):
        from portal.accounts.services import create_api_token
        from portal.core import clock
        from portal.extensions import db
        from portal.notifications.outbox import queue_email

        with app.app_context():
            member = UserFactory(email="member@example.com")
            coach = make_coach("Casey Coach", email="casey@stridelab.example")
            admin = make_coach("Avery Admin", email="avery@stridelab.example", admin=True)
            other = make_coach("Sample Coach", email="sample@stridelab.example")
            email = queue_email(dedupe_key="roles-sample", to_addr="someone@example.com", subject="A sample",
                                template="password_reset", now=clock.now(),
                                context={"user": member, "link": "http://127.0.0.1:5000/x", "minutes": 60})
            db.session.commit()
            self.samples = {"user_id": other.id, "email_id": email.id, "token": "not-a-real-token",
                            "event_slug": "strategy-call", "slug": "strategy-call", "coach_slug": coach.coach.slug}
            self.emails = {"member": member.email, "coach": coach.email, "admin": admin.email}
            tokens = {"coach": create_api_token(coach.email, clock.now()),
                      "admin": create_api_token(admin.email, clock.now())}
        self.clients = {}
        for role in ROLES:
            client = app.test_client()
            if role in tokens:
                client.environ_base["HTTP_AUTHORIZATION"] = f"Bearer {tokens[role]}"
            self.clients[role] = Auth(client)
        for role in ("member", "coach", "admin"):
            self.ensure_logged_in(role)

    def ensure_logged_in(self, role: str) -> None:
        if role == "anonymous":
            return
        auth = self.clients[role]
        with auth.client.session_transaction() as session:
            logged_in = "_user_id" in session
        if not logged_in:
            assert auth.login(self.emails[role]).status_code == 302, f"{role} could not log in"

    def path_for(self, rule) -> str:
        """The rule with sample values; a parameter without one gets a made-up id or word (finds nothing)."""
        values = {}
        for name in rule.arguments:
            if name in self.samples:
                values[name] = self.samples[name]
            else:
                numeric = isinstance(rule._converters[name], IntegerConverter)
                values[name] = 999_999 if numeric else "no-such-thing"
        return rule.build(values, append_unknown=False)[1]

    def request(self, role: str, rule, method: str):
        self.ensure_logged_in(role)
        auth = self.clients[role]
        path = self.path_for(rule)
        if path.startswith("/api/"):
            kwargs = {"json": {}} if method != "GET" else {}
            return auth.client.open(path, method=method, **kwargs)
        if method == "GET":
            return auth.client.get(path)
        return auth.client.open(path, method=method, data={"csrf_token": auth.csrf_token()})


@pytest.fixture
def world(app):
    return World(app)


def test_every_route_is_in_the_roles_table(app):
    routes = {(rule.rule, method) for rule, method in _rules(app)}
    missing = sorted(routes - EXPECTED.keys())
    stale = sorted(EXPECTED.keys() - routes)
    assert not missing, f"routes with no row in EXPECTED (say what each role gets): {missing}"
    assert not stale, f"rows in EXPECTED for routes that no longer exist: {stale}"


def test_every_route_answers_each_role_as_the_table_says(app, world):
    wrong = []
    for rule, method in sorted(_rules(app), key=_logout_last):
        expected = EXPECTED.get((rule.rule, method))
        if expected is None:
            continue  # reported by test_every_route_is_in_the_roles_table
        for role, status in zip(ROLES, expected, strict=True):
            got = world.request(role, rule, method).status_code
            if got != status:
                wrong.append(f"{method} {rule.rule} as {role}: expected {status}, got {got}")
    assert not wrong, "\n".join(wrong)


def test_every_route_answers_each_role_as_its_access_declares(app, world):
    """Derived from each view's `access`: who is sent to log in, who is refused, who gets through."""
    wrong = []
    for rule, method in sorted(_rules(app), key=_logout_last):
        access = app.view_functions[rule.endpoint].access
        api = rule.rule.startswith("/api/")
        for role in ROLES:
            response = world.request(role, rule, method)
            status, where = response.status_code, f"{method} {rule.rule} as {role}"
            to_login = status == 302 and response.headers["Location"].startswith("/login")
            if PUBLIC in access:
                allowed = True
            elif set(access) == set(API_STAFF):
                allowed = role in ("coach", "admin")
            else:
                allowed = role in access
            if allowed:
                if status in (401, 403) or to_login:
                    wrong.append(f"{where}: allowed by {access} but refused with {status}")
            elif api:
                body = response.get_json(silent=True) or {}
                expected = 401 if role in ("anonymous", "member") else 403
                if status != expected or "code" not in body.get("error", {}):
                    wrong.append(f"{where}: expected a {expected} JSON error, got {status} {body}")
            elif role == "anonymous":
                if not to_login:
                    wrong.append(f"{where}: expected a redirect to /login, got {status}")
            elif status != 403:
                wrong.append(f"{where}: expected 403 for a {role}, got {status}")
    assert not wrong, "\n".join(wrong)


def test_anonymous_visitor_is_sent_to_login_and_comes_back_after(client, auth, ctx):
    UserFactory(email="back@example.com")
    response = client.get("/account")
    assert response.status_code == 302
    assert response.headers["Location"] == "/login?next=%2Faccount"
    login_page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert 'name="next" type="hidden" value="/account"' in login_page
    response = auth.post("/login", {"email": "back@example.com", "password": "correct-horse-battery",
                                    "next": "/account"})
    assert response.headers["Location"] == "/account"


def test_staff_api_ignores_a_coach_session_cookie(app, world):
    """Cookies never authenticate the API: only a bearer token does."""
    staff_rules = [(r, m) for r, m in _rules(app) if set(app.view_functions[r.endpoint].access) == set(API_STAFF)]
    world.clients["coach"].client.environ_base.pop("HTTP_AUTHORIZATION")
    for rule, method in staff_rules:
        response = world.request("coach", rule, method)
        assert response.status_code == 401, f"{method} {rule.rule} let a session cookie in"


def test_create_app_refuses_a_view_that_does_not_say_who_may_see_it(monkeypatch, tmp_path):
    from tests.conftest import make_app

    leaky = Blueprint("site", "portal.site.views")
    leaky.add_url_rule("/", "home", public(lambda: "home"))
    leaky.add_url_rule("/secret-report", "secret_report", lambda: "for staff only")
    monkeypatch.setattr("portal.site.views.bp", leaky)
    with pytest.raises(RuntimeError, match=r"site\.secret_report"):
        make_app(f"sqlite:///{tmp_path / 'x.db'}", tmp_path, None)


def test_undeclared_endpoints_lists_only_views_without_access(tmp_path):
    from flask import Flask

    bare = Flask(__name__)
    bare.add_url_rule("/open", "open", public(lambda: "ok"))
    bare.add_url_rule("/forgotten", "forgotten", lambda: "?")
    assert undeclared_endpoints(bare) == ["forgotten"]

