"""/dev/mail shows a development server's mail with working links; production does not mount it."""
from __future__ import annotations

import re

import pytest

from portal.core import clock
from portal.extensions import db
from portal.notifications.outbox import queue_email
from tests.conftest import Auth, make_app
from tests.factories import UserFactory


def test_dev_mail_lists_queued_mail_and_a_message_page_shows_its_links(app, client):
    with app.app_context():
        UserFactory(email="dev@example.com")
    Auth(client).post("/reset-password", {"email": "dev@example.com"})
    inbox = client.get("/dev/mail")
    assert inbox.status_code == 200
    page = inbox.get_data(as_text=True)
    assert "dev@example.com" in page and "Reset your Stride Lab password" in page
    assert "queued" in page
    message_path = re.search(r'href="(/dev/mail/\d+)"', page).group(1)

    message = client.get(message_path).get_data(as_text=True)
    link = re.search(r'<a href="http://127\.0\.0\.1:5000(/reset-password/[^"]+)">', message)
    assert link, "the reset link should be clickable"
    assert client.get(link.group(1)).status_code == 200
    assert f'src="{message_path}/html"' in message


def test_dev_mail_shows_the_email_html_under_a_policy_that_allows_no_script(app, client):
    with app.app_context():
        email = queue_email(dedupe_key="dev:1", to_addr="a@example.com", subject="Hi", template="password_reset",
                            context={"user": {"first_name": "A"}, "link": "http://127.0.0.1:5000/x", "minutes": 60},
                            now=clock.now())
        db.session.commit()
        email_id = email.id
    response = client.get(f"/dev/mail/{email_id}/html")
    assert response.status_code == 200 and response.mimetype == "text/html"
    csp = response.headers["Content-Security-Policy"]
    assert "default-src 'none'" in csp and "script-src" not in csp
    assert client.get("/dev/mail/999999").status_code == 404


def test_dev_mail_escapes_what_the_email_says(app, client):
    with app.app_context():
        email = queue_email(dedupe_key="dev:xss", to_addr="a@example.com", subject="<b>bold</b>",
                            template="password_reset", now=clock.now(),
                            context={"user": {"first_name": "<script>alert(1)</script>"},
                                     "link": "http://127.0.0.1:5000/x\"><script>alert(2)</script>", "minutes": 60})
        db.session.commit()
        email_id = email.id
    page = client.get(f"/dev/mail/{email_id}").get_data(as_text=True)
    assert "<script>alert" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "<b>bold</b>" not in client.get("/dev/mail").get_data(as_text=True)


@pytest.fixture
def production_env(monkeypatch):
    monkeypatch.setenv("PORTAL_ENV", "production")
    monkeypatch.setenv("SECRET_KEY", "a-production-secret")


def test_production_does_not_mount_dev_mail(production_env, tmp_path):
    app = make_app(f"sqlite:///{tmp_path / 'prod.db'}", tmp_path, None)
    assert app.config["PORTAL_ENV"] == "production"
    assert app.config["DEV_MAIL_ENABLED"] is False
    assert not any(rule.rule.startswith("/dev") for rule in app.url_map.iter_rules())
    assert app.test_client().get("/dev/mail").status_code == 404
