"""Every API operation, fed generated input from its own OpenAPI document, answers without a server error."""
from __future__ import annotations

import datetime as dt
import tempfile
from pathlib import Path

import pytest
import schemathesis
from hypothesis import HealthCheck, settings

from tests.conftest import make_app, migrate_to_head


def _fuzz_app():
    """An app of its own (module scope: schemathesis reads the document when the tests are collected)."""
    folder = Path(tempfile.mkdtemp(prefix="portal-fuzz-"))
    app = make_app(f"sqlite:///{folder / 'fuzz.db'}", folder, None)
    migrate_to_head(app)
    with app.app_context():
        from portal.accounts.services import create_api_token
        from portal.demo import seed_demo

        seed_demo(dt.datetime.now(dt.UTC))
        app.config["FUZZ_TOKEN"] = create_api_token("maya@stridelab.example", dt.datetime.now(dt.UTC))
    return app


APP = _fuzz_app()
schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", APP)


@pytest.mark.slow
@schema.parametrize()
@settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))
def test_the_api_never_answers_with_a_server_error(case):
    response = case.call(headers={"Authorization": f"Bearer {APP.config['FUZZ_TOKEN']}"})
    assert response.status_code < 500, response.text
