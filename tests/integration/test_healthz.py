"""/healthz tells a load balancer whether this instance can reach its database."""
from __future__ import annotations

import pytest

from tests.conftest import make_app


def test_healthz_reports_ok_when_the_database_answers(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok", "database": "ok"}


@pytest.mark.parametrize("url", [
    "postgresql+psycopg://postgres@127.0.0.1:1/portal?connect_timeout=2",
    "sqlite:////nonexistent-directory/for/portal.db",
], ids=["postgres-port-closed", "sqlite-unopenable"])
def test_healthz_reports_503_when_the_database_is_unreachable(tmp_path, url):
    app = make_app(url, tmp_path, None)
    response = app.test_client().get("/healthz")
    assert response.status_code == 503
    assert response.get_json()["database"] == "error"
    assert response.get_json()["status"] != "ok"


def test_healthz_recovers_once_the_database_answers_again(tmp_path):
    """A failed check leaves no broken connection or transaction behind."""
    from tests.conftest import migrate_to_head

    db_file = tmp_path / "later" / "portal.db"
    app = make_app(f"sqlite:///{db_file}", tmp_path, None)
    client = app.test_client()
    assert client.get("/healthz").status_code == 503
    db_file.parent.mkdir()
    migrate_to_head(app)
    assert client.get("/healthz").status_code == 200
