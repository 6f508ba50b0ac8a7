"""The few pieces every endpoint uses: body/query parsing, bearer auth, and the OpenAPI registry."""
from __future__ import annotations

import functools
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from flask import Blueprint, Response, g, jsonify, request
from pydantic import BaseModel, TypeAdapter, ValidationError

from portal.core import clock
from portal.core.access import PUBLIC, STAFF
from portal.web import api_error

MAX_BODY = 64 * 1024


@dataclass
class Endpoint:
    rule: str
    method: str
    summary: str
    auth: str  # "public" or "staff"
    body: type[BaseModel] | None
    query: type[BaseModel] | None
    response: Any
    status: int
    errors: tuple[int, ...]
    tags: tuple[str, ...] = field(default_factory=tuple)
    operation_id: str = ""


REGISTRY: list[Endpoint] = []


def _fields_of(exc: ValidationError) -> dict[str, str]:
    fields: dict[str, str] = {}
    for err in exc.errors():
        where = ".".join(str(p) for p in err["loc"]) or "body"
        fields.setdefault(where, err["msg"])
    return fields


def _read_json_body() -> Any:
    if request.content_length is not None and request.content_length > MAX_BODY:
        return _Refusal(413, "payload_too_large", "The request body is too large.")
    if request.mimetype != "application/json":
        return _Refusal(415, "unsupported_media_type", "Send the body as JSON with Content-Type: application/json.")
    raw = request.get_data(cache=True)
    if len(raw) > MAX_BODY:
        return _Refusal(413, "payload_too_large", "The request body is too large.")
    try:
        data = json.loads(raw or b"null")
    except (ValueError, UnicodeDecodeError):
        return _Refusal(400, "bad_json", "The body is not valid JSON.")
    if not isinstance(data, dict):
        return _Refusal(422, "invalid_input", "The body must be a JSON object.")
    return data


@dataclass
class _Refusal:
    status: int
    code: str
    message: str


def bearer_user():
    """The coach or admin behind `Authorization: Bearer <token>`; cookies never authenticate the API."""
    from portal.accounts.services import user_for_api_token

    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    return user_for_api_token(token.strip(), clock.now())


def endpoint(bp: Blueprint, rule: str, method: str, *, summary: str, auth: str = PUBLIC,
             body: type[BaseModel] | None = None, query: type[BaseModel] | None = None, response: Any = None,
             status: int = 200, errors: tuple[int, ...] = (), tags: tuple[str, ...] = (),
             limits: tuple[Callable, ...] = ()) -> Callable:
    """Register a JSON endpoint: parse and validate input, check the bearer token, serialise the answer.

    `limits` (Flask-Limiter decorators) wrap the whole endpoint, so bad input counts against them too."""

    def decorate(view: Callable[..., Any]) -> Callable[..., Any]:
        adapter = TypeAdapter(response) if response is not None else None

        @functools.wraps(view)
        def wrapper(**path_args: Any):
            kwargs: dict[str, Any] = dict(path_args)
            if auth != PUBLIC:
                user = bearer_user()
                if user is None:
                    return api_error("unauthorized", "Send a valid API token as 'Authorization: Bearer <token>'.",
                                     401)
                if user.role not in STAFF:
                    return api_error("forbidden", "This token may not do that.", 403)
                g.api_user = user
                kwargs["user"] = user
            if query is not None:
                try:
                    kwargs["query"] = query.model_validate(request.args.to_dict())
                except ValidationError as exc:
                    return api_error("invalid_input", "Some query parameters are not valid.", 422, _fields_of(exc))
            if body is not None:
                data = _read_json_body()
                if isinstance(data, _Refusal):
                    return api_error(data.code, data.message, data.status)
                try:
                    kwargs["body"] = body.model_validate(data)
                except ValidationError as exc:
                    return api_error("invalid_input", "Some fields are not valid.", 422, _fields_of(exc))
            result = view(**kwargs)
            if isinstance(result, (tuple, Response)) or not adapter:
                return result
            return jsonify(adapter.dump_python(result, mode="json")), status

        limited = functools.reduce(lambda fn, limit: limit(fn), limits, wrapper)
        limited.access = (PUBLIC,) if auth == PUBLIC else ("api-token:coach", "api-token:admin")  # type: ignore
        bp.add_url_rule(rule, view_func=limited, methods=[method])
        REGISTRY.append(Endpoint(rule=bp.url_prefix + rule, method=method.lower(), summary=summary, auth=auth,
                                 body=body, query=query, response=response, status=status, errors=errors,
                                 tags=tags, operation_id=view.__name__))
        return limited

    return decorate


# Keep STAFF referenced for readers: staff endpoints accept coach and admin tokens.
__all__ = ["endpoint", "REGISTRY", "bearer_user", "STAFF"]
