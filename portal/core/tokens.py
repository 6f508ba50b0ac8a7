"""Signed, expiring tokens for links in emails, and hashes for the ones that grant access."""
from __future__ import annotations

import hashlib
import secrets
from typing import Any

from itsdangerous import BadData, BadSignature, SignatureExpired, URLSafeSerializer, URLSafeTimedSerializer
from itsdangerous.encoding import base64_decode, base64_encode

from portal.core.errors import TokenInvalid


def _serializer(secret_key: str, purpose: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(secret_key, salt=f"portal.{purpose}")


def sign(secret_key: str, purpose: str, payload: Any) -> str:
    return _serializer(secret_key, purpose).dumps(payload)


def verify(secret_key: str, purpose: str, token: str, max_age: int | None) -> Any:
    """The payload of a valid token; TokenInvalid for a forged, altered or expired one."""
    if not isinstance(token, str) or not token or len(token) > 2048:
        raise TokenInvalid("This link is not valid.")
    try:
        return _serializer(secret_key, purpose).loads(token, max_age=max_age)
    except SignatureExpired as exc:
        raise TokenInvalid("This link has expired. Please ask for a new one.") from exc
    except BadSignature as exc:
        raise TokenInvalid("This link is not valid.") from exc


def sign_lasting(secret_key: str, purpose: str, payload: Any) -> str:
    """A signed token that is the same each time for the same payload; its owner decides when it expires."""
    return URLSafeSerializer(secret_key, salt=f"portal.{purpose}").dumps(payload)


def verify_lasting(secret_key: str, purpose: str, token: str) -> Any:
    if not isinstance(token, str) or not token or len(token) > 2048:
        raise TokenInvalid("This link is not valid.")
    try:
        return URLSafeSerializer(secret_key, salt=f"portal.{purpose}").loads(token)
    except BadSignature as exc:
        raise TokenInvalid("This link is not valid.") from exc


def random_token(nbytes: int = 32) -> str:
    return secrets.token_urlsafe(nbytes)


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def spent_key(token: str) -> str:
    """What a single-use signed token is remembered by once used. Base64 lets the last character of each part
    vary without changing its bytes, so several spellings verify alike: key on the one canonical spelling."""
    try:
        canonical = ".".join(base64_encode(base64_decode(part)).decode() for part in token.split("."))
    except (BadData, ValueError):
        canonical = token
    return hash_token(canonical)
