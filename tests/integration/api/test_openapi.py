"""/api/v1/openapi.json is a valid OpenAPI document that describes exactly the API that is served."""
from __future__ import annotations

import re

import pytest
from openapi_spec_validator import validate


@pytest.fixture
def spec(client):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    return response.get_json()


def _served(app) -> set[tuple[str, str]]:
    operations = set()
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/api/v1/") or rule.endpoint == "api.openapi_json":
            continue
        path = re.sub(r"<(?:[a-z]+:)?([a-z_]+)>", r"{\1}", rule.rule)
        operations |= {(path, m.lower()) for m in rule.methods - {"HEAD", "OPTIONS"}}
    return operations


def test_the_openapi_document_is_valid(spec):
    validate(spec)
    assert spec["openapi"].startswith("3.")


def test_the_document_describes_every_api_operation_and_no_other(app, spec):
    documented = {(path, method) for path, item in spec["paths"].items() for method in item}
    assert documented == _served(app)


def test_operation_ids_are_unique(spec):
    ids = [op["operationId"] for item in spec["paths"].values() for op in item.values()]
    assert len(ids) == len(set(ids))


def test_staff_operations_need_a_bearer_token_and_say_so(app, spec):
    staff = {(re.sub(r"<(?:[a-z]+:)?([a-z_]+)>", r"{\1}", r.rule), m.lower())
             for r in app.url_map.iter_rules() if r.rule.startswith("/api/")
             for m in r.methods - {"HEAD", "OPTIONS"}
             if "api-token:coach" in getattr(app.view_functions[r.endpoint], "access", ())}
    assert staff, "the API has staff operations (a coach's availability and bookings)"
    assert spec["components"]["securitySchemes"]["bearerAuth"] == {"type": "http", "scheme": "bearer"}
    for path, method in staff:
        op = spec["paths"][path][method]
        assert op["security"] == [{"bearerAuth": []}], (path, method)
        assert "401" in op["responses"], (path, method)


def test_error_responses_use_the_one_error_schema(spec):
    error = spec["components"]["schemas"]["Error"]
    assert error["required"] == ["error"]
    assert error["properties"]["error"]["required"] == ["code", "message"]
    for path, item in spec["paths"].items():
        for method, op in item.items():
            for status, response in op["responses"].items():
                if int(status) >= 400:
                    schema = response["content"]["application/json"]["schema"]
                    assert schema == {"$ref": "#/components/schemas/Error"}, (path, method, status)


def test_every_schema_reference_resolves(spec):
    text = str(spec)
    for name in set(re.findall(r"#/components/schemas/([A-Za-z0-9_.-]+)", text)):
        assert name in spec["components"]["schemas"], name
