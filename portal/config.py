"""Settings from environment variables, with safe defaults for running on one laptop."""
from __future__ import annotations

import os
import secrets
from pathlib import Path


class ConfigError(RuntimeError):
    """The app refuses to start with settings that would be unsafe."""


def _bool(value: str | None, default: bool) -> bool:
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _dev_secret_key(instance: Path) -> str:
    """A development key generated once into instance/, so sessions survive restarts."""
    path = instance / "secret_key"
    if path.exists():
        return path.read_text().strip()
    instance.mkdir(parents=True, exist_ok=True)
    key = secrets.token_hex(32)
    path.write_text(key)
    path.chmod(0o600)
    return key


def load(instance_path: str, env: os._Environ[str] | dict[str, str] = os.environ) -> dict:
    instance = Path(instance_path)
    portal_env = env.get("PORTAL_ENV", "development").strip().lower()
    production = portal_env == "production"
    secret = env.get("SECRET_KEY")
    if not secret:
        if production:
            raise ConfigError("SECRET_KEY must be set when PORTAL_ENV=production")
        secret = _dev_secret_key(instance)
    database_url = env.get("DATABASE_URL") or f"sqlite:///{instance / 'portal.db'}"
    public_base = (env.get("PUBLIC_BASE_URL") or "http://127.0.0.1:5000").rstrip("/")
    return {
        "PORTAL_ENV": portal_env,
        "SECRET_KEY": secret,
        "SQLALCHEMY_DATABASE_URI": database_url,
        "PUBLIC_BASE_URL": public_base,
        "STRIPE_SECRET_KEY": env.get("STRIPE_SECRET_KEY", ""),
        "STRIPE_WEBHOOK_SECRET": env.get("STRIPE_WEBHOOK_SECRET", ""),
        "STRIPE_API_BASE": env.get("STRIPE_API_BASE", ""),
        "SMTP_URL": env.get("SMTP_URL", ""),
        "MAIL_FROM": env.get("MAIL_FROM", "Stride Lab <hello@stridelab.example>"),
        "MAIL_DIR": str(instance / "mail"),
        "RATELIMIT_ENABLED": _bool(env.get("RATELIMIT_ENABLED"), True),
        "RATELIMIT_STORAGE_URI": env.get("RATELIMIT_STORAGE_URI") or "memory://",
        "RATELIMIT_HEADERS_ENABLED": True,
        "RATELIMIT_LOGIN_IP": env.get("RATELIMIT_LOGIN_IP", "20 per minute; 200 per hour"),
        "RATELIMIT_LOGIN_EMAIL": env.get("RATELIMIT_LOGIN_EMAIL", "5 per minute; 30 per hour"),
        "RATELIMIT_FORMS_IP": env.get("RATELIMIT_FORMS_IP", "10 per minute; 60 per hour"),
        "RATELIMIT_BOOKING_IP": env.get("RATELIMIT_BOOKING_IP", "20 per minute; 100 per hour"),
        "RATELIMIT_BOOKING_EMAIL": env.get("RATELIMIT_BOOKING_EMAIL", "5 per minute; 20 per day"),
        # Per-process cache of slot lists (see scheduling/slot_cache.py); the benchmark turns it off to measure
        # the engine's cold path.
        "SLOT_CACHE": _bool(env.get("PORTAL_SLOT_CACHE"), True),
        # Only the concurrency tests turn this off, to show that without the lock the race is real.
        "BOOKING_LOCKS": _bool(env.get("PORTAL_BOOKING_LOCKS"), True),
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": public_base.startswith("https://"),
        "REMEMBER_COOKIE_HTTPONLY": True,
        "REMEMBER_COOKIE_SAMESITE": "Lax",
        "REMEMBER_COOKIE_SECURE": public_base.startswith("https://"),
        "PREFERRED_URL_SCHEME": "https" if public_base.startswith("https://") else "http",
        "MAX_CONTENT_LENGTH": 2 * 1024 * 1024,
        "WTF_CSRF_TIME_LIMIT": None,
        "DEV_MAIL_ENABLED": not production,
        "PASSWORD_RESET_MAX_AGE": 60 * 60,
        "INVITE_MAX_AGE": 7 * 24 * 60 * 60,
        "TESTING": False,
    }
