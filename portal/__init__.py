"""Portal: the web platform a running-coach business runs on."""
from __future__ import annotations

import logging
from typing import Any

from flask import Flask
from sqlalchemy import event
from sqlalchemy.engine import Engine

from portal import config as settings
from portal.extensions import csrf, db, limiter, login_manager, migrate


def create_app(config_overrides: dict[str, Any] | None = None) -> Flask:
    app = Flask(__name__, template_folder="../templates", static_folder="../static", instance_relative_config=True)
    app.config.update(settings.load(app.instance_path))
    if config_overrides:
        app.config.update(config_overrides)
    app.config.setdefault("SQLALCHEMY_ENGINE_OPTIONS", _engine_options(app.config["SQLALCHEMY_DATABASE_URI"]))
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")

    db.init_app(app)
    migrate.init_app(app, db, directory=str(_root() / "migrations"), render_as_batch=True, compare_type=True)
    csrf.init_app(app)
    limiter.init_app(app)
    login_manager.init_app(app)
    login_manager.login_view = "accounts.login"
    login_manager.login_message = "Please log in to see that page."
    login_manager.login_message_category = "info"

    from portal import models  # noqa: F401  (registers every table with the metadata)
    from portal.accounts.models import User

    @login_manager.user_loader
    def load_user(user_id: str) -> User | None:
        if not user_id.isdigit():
            return None
        return db.session.get(User, int(user_id))

    from portal.web import register_web

    register_web(app)

    from portal.api import api_bp

    app.register_blueprint(api_bp)
    csrf.exempt(api_bp)

    from portal.accounts.views import bp as accounts_bp
    from portal.coach.views import bp as coach_bp
    from portal.site.views import bp as site_bp

    app.register_blueprint(site_bp)
    app.register_blueprint(accounts_bp)
    app.register_blueprint(coach_bp)
    if app.config["DEV_MAIL_ENABLED"]:
        from portal.notifications.views import bp as dev_mail_bp

        app.register_blueprint(dev_mail_bp)

    from portal.scheduling.views import bp as scheduling_bp

    app.register_blueprint(scheduling_bp)

    from portal.scheduling.coach_views import bp as scheduling_coach_bp
    from portal.scheduling.coach_views import feed_bp as scheduling_feed_bp

    app.register_blueprint(scheduling_coach_bp)
    app.register_blueprint(scheduling_feed_bp)

    from portal.cli import register_cli

    register_cli(app)

    from portal.core.access import undeclared_endpoints

    missing = undeclared_endpoints(app)
    if missing:
        raise RuntimeError(f"these routes do not say who may see them: {missing}")
    return app


def _root():
    from pathlib import Path

    return Path(__file__).resolve().parent.parent


def _engine_options(url: str) -> dict[str, Any]:
    if url.startswith("sqlite"):
        return {"connect_args": {"timeout": 30, "check_same_thread": False}}
    return {"pool_pre_ping": True}


@event.listens_for(Engine, "connect")
def _sqlite_pragmas(dbapi_connection, connection_record) -> None:  # noqa: ARG001
    """WAL lets readers run beside a writer; the busy timeout makes writers queue instead of failing."""
    import sqlite3

    if isinstance(dbapi_connection, sqlite3.Connection):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()
