"""/api/v1/openapi.json, generated from the same pydantic models that validate the requests."""
from __future__ import annotations

import re
from typing import Any

from flask import jsonify
from pydantic import BaseModel, TypeAdapter

from portal.api import api_bp
from portal.api.framework import REGISTRY
from portal.core.access import public

REF = "#/components/schemas/{model}"

ERROR_SCHEMA = {
    "type": "object",
    "required": ["error"],
    "properties": {
        "error": {
            "type": "object",
            "required": ["code", "message"],
            "properties": {
                "code": {"type": "string"},
                "message": {"type": "string"},
                "fields": {"type": "object", "additionalProperties": {"type": "string"}},
            },
        }
    },
}
ERROR_TEXT = {400: "Bad request", 401: "Missing or invalid API token", 403: "Not allowed", 404: "Not found",
              409: "Conflict", 413: "Body too large", 415: "Body is not JSON", 422: "Invalid input",
              429: "Too many requests"}


def _schema(tp: Any, components: dict[str, Any]) -> dict[str, Any]:
    schema = TypeAdapter(tp).json_schema(ref_template=REF, mode="serialization")
    for name, sub in schema.pop("$defs", {}).items():
        components[name] = sub
    if isinstance(tp, type) and issubclass(tp, BaseModel):
        components[tp.__name__] = schema
        return {"$ref": REF.format(model=tp.__name__)}
    return schema


def _input_schema(model: type[BaseModel], components: dict[str, Any]) -> dict[str, Any]:
    schema = model.model_json_schema(ref_template=REF, mode="validation")
    for name, sub in schema.pop("$defs", {}).items():
        components[name] = sub
    components[model.__name__] = schema
    return {"$ref": REF.format(model=model.__name__)}


def openapi_document() -> dict[str, Any]:
    components: dict[str, Any] = {"Error": ERROR_SCHEMA}
    paths: dict[str, Any] = {}
    for ep in REGISTRY:
        path = re.sub(r"<(?:[a-z]+:)?([a-z_]+)>", r"{\1}", ep.rule)
        op: dict[str, Any] = {"summary": ep.summary, "operationId": ep.operation_id, "responses": {}}
        if ep.tags:
            op["tags"] = list(ep.tags)
        params = [{"name": n, "in": "path", "required": True, "schema": {"type": "string"}}
                  for n in re.findall(r"{([a-z_]+)}", path)]
        if ep.query is not None:
            qschema = ep.query.model_json_schema(mode="validation")
            required = set(qschema.get("required", []))
            for name, prop in qschema.get("properties", {}).items():
                prop = {k: v for k, v in prop.items() if k != "title"}
                params.append({"name": name, "in": "query", "required": name in required, "schema": prop,
                               **({"description": prop["description"]} if "description" in prop else {})})
        if params:
            op["parameters"] = params
        if ep.body is not None:
            op["requestBody"] = {"required": True,
                                 "content": {"application/json": {"schema": _input_schema(ep.body, components)}}}
        ok: dict[str, Any] = {"description": "OK" if ep.status == 200 else "Created"}
        if ep.response is not None:
            ok["content"] = {"application/json": {"schema": _schema(ep.response, components)}}
        op["responses"][str(ep.status)] = ok
        errors = set(ep.errors) | ({401, 403} if ep.auth != "public" else set()) | \
            ({415, 422} if ep.body is not None else set()) | ({422} if ep.query is not None else set())
        for code in sorted(errors):
            op["responses"][str(code)] = {"description": ERROR_TEXT.get(code, "Error"), "content": {
                "application/json": {"schema": {"$ref": REF.format(model="Error")}}}}
        if ep.auth != "public":
            op["security"] = [{"bearerAuth": []}]
        paths.setdefault(path, {})[ep.method] = op
    return {
        "openapi": "3.1.0",
        "info": {"title": "Portal API", "version": "1.0.0",
                 "description": "Strategy-call scheduling for a team of running coaches. Errors are "
                                "{\"error\": {\"code\", \"message\", \"fields\"}}."},
        "servers": [{"url": "/"}],
        "paths": paths,
        "components": {"schemas": components,
                       "securitySchemes": {"bearerAuth": {"type": "http", "scheme": "bearer"}}},
    }


@api_bp.get("/openapi.json")
@public
def openapi_json():
    return jsonify(openapi_document())
