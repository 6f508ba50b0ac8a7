"""Settings come from the environment with safe defaults; production refuses unsafe ones."""
from __future__ import annotations

import pytest

from portal import config as settings


def test_production_refuses_to_start_without_a_secret_key(tmp_path):
    with pytest.raises(settings.ConfigError, match="SECRET_KEY"):
        settings.load(str(tmp_path), env={"PORTAL_ENV": "production"})
    with pytest.raises(settings.ConfigError):
        settings.load(str(tmp_path), env={"PORTAL_ENV": " Production ", "SECRET_KEY": ""})
    assert not (tmp_path / "secret_key").exists()


def test_production_with_a_secret_key_uses_it_and_no_dev_mail(tmp_path):
    config = settings.load(str(tmp_path), env={"PORTAL_ENV": "production", "SECRET_KEY": "s3cret",
                                               "PUBLIC_BASE_URL": "https://portal.example/"})
    assert config["SECRET_KEY"] == "s3cret"
    assert config["DEV_MAIL_ENABLED"] is False
    assert config["PUBLIC_BASE_URL"] == "https://portal.example"
    assert config["SESSION_COOKIE_SECURE"] is True


def test_development_makes_a_secret_key_once_and_keeps_it(tmp_path):
    first = settings.load(str(tmp_path), env={})
    second = settings.load(str(tmp_path), env={})
    assert first["SECRET_KEY"] == second["SECRET_KEY"] and len(first["SECRET_KEY"]) >= 32
    assert (tmp_path / "secret_key").stat().st_mode & 0o077 == 0
    assert first["DEV_MAIL_ENABLED"] is True
    assert first["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{tmp_path / 'portal.db'}"


@pytest.mark.parametrize("raw, expected", [("", True), ("0", False), ("false", False), ("no", False),
                                           ("1", True), ("TRUE", True), ("on", True)])
def test_rate_limiting_is_on_unless_switched_off(tmp_path, raw, expected):
    assert settings.load(str(tmp_path), env={"RATELIMIT_ENABLED": raw})["RATELIMIT_ENABLED"] is expected


def test_settings_read_the_database_smtp_and_rate_limit_store_from_the_environment(tmp_path):
    config = settings.load(str(tmp_path), env={"DATABASE_URL": "postgresql+psycopg://db/portal",
                                               "SMTP_URL": "smtp://mail:25", "RATELIMIT_STORAGE_URI": "redis://r:6379"})
    assert config["SQLALCHEMY_DATABASE_URI"] == "postgresql+psycopg://db/portal"
    assert config["SMTP_URL"] == "smtp://mail:25"
    assert config["RATELIMIT_STORAGE_URI"] == "redis://r:6379"
    assert settings.load(str(tmp_path), env={})["RATELIMIT_STORAGE_URI"] == "memory://"
