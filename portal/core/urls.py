"""URL helpers: safe redirects and absolute links for emails."""
from __future__ import annotations

from urllib.parse import urlsplit

from flask import current_app, url_for


def is_safe_next(target: str | None) -> bool:
    """Only paths on this site: no scheme, no host, no protocol-relative or backslash tricks."""
    if not target or len(target) > 500 or not target.startswith("/") or target.startswith("//"):
        return False
    if "\\" in target or any(ord(c) < 32 for c in target):
        return False
    parts = urlsplit(target)
    return not parts.scheme and not parts.netloc


def external_url(endpoint: str, **values) -> str:
    """An absolute link for an email, built on PUBLIC_BASE_URL rather than the request's host."""
    return current_app.config["PUBLIC_BASE_URL"] + url_for(endpoint, _external=False, **values)
