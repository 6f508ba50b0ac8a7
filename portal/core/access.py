"""Who may see each route. Every view declares it; create_app refuses a view that does not."""
from __future__ import annotations

import functools
from collections.abc import Callable
from enum import StrEnum
from typing import Any

from flask import abort, current_app, request
from flask_login import current_user


class Role(StrEnum):
    MEMBER = "member"
    COACH = "coach"
    ADMIN = "admin"


PUBLIC = "public"
STAFF = (Role.COACH, Role.ADMIN)


def public(view: Callable[..., Any]) -> Callable[..., Any]:
    """Anyone, signed in or not."""
    view.access = (PUBLIC,)  # type: ignore[attr-defined]
    return view


def roles(*allowed: Role) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Signed-in users with one of `allowed`; others are sent to log in (anonymous) or refused (403)."""

    def decorate(view: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(view)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            if not current_user.is_authenticated:
                return current_app.login_manager.unauthorized()  # type: ignore[attr-defined]
            if current_user.role not in allowed:
                abort(403)
            return view(*args, **kwargs)

        wrapper.access = tuple(str(r) for r in allowed)  # type: ignore[attr-defined]
        return wrapper

    return decorate


signed_in = roles(Role.MEMBER, Role.COACH, Role.ADMIN)
staff = roles(*STAFF)
admin_only = roles(Role.ADMIN)


def undeclared_endpoints(app) -> list[str]:
    """Endpoints whose view says nothing about who may see it (static files excepted)."""
    missing = []
    for rule in app.url_map.iter_rules():
        if rule.endpoint == "static" or rule.endpoint.endswith(".static"):
            continue
        view = app.view_functions[rule.endpoint]
        if not getattr(view, "access", None):
            missing.append(rule.endpoint)
    return missing


def wants_json() -> bool:
    return request.path.startswith("/api/")
