"""What every page shares: error pages, security headers, template helpers, the health check."""
from __future__ import annotations

import datetime as dt
import re
import secrets

from flask import Flask, g, has_request_context, jsonify, render_template, request
from flask_login import current_user
from flask_wtf.csrf import CSRFError
from markupsafe import Markup, escape
from sqlalchemy import text
from werkzeug.exceptions import HTTPException
from werkzeug.routing import IntegerConverter

from portal.core.access import public, wants_json
from portal.core.errors import DomainError
from portal.core.timezones import is_valid_zone, local
from portal.extensions import db, limiter

_URL = re.compile(r"https?://[^\s<>\"']+")

ERROR_TEXT = {
    400: ("Something in that request was not right", "Please go back and try again."),
    403: ("That page is not for this account", "If you think you should see it, ask your coach."),
    404: ("We could not find that page", "The link may be old, or the page may have moved."),
    405: ("That is not something this page does", "Please go back and try again."),
    409: ("That just changed", "Someone else got there first. Please go back and try again."),
    413: ("That was too big", "Please send something smaller."),
    422: ("Some details need another look", "Please go back and check the form."),
    429: ("Please slow down a little", "Too many tries in a short time. Wait a minute, then try again."),
    500: ("Something went wrong on our side", "We have been told about it. Please try again in a moment."),
}


def api_error(code: str, message: str, status: int, fields: dict | None = None):
    body = {"error": {"code": code, "message": message}}
    if fields:
        body["error"]["fields"] = fields
    return jsonify(body), status


def error_page(status: int, message: str | None = None):
    title, hint = ERROR_TEXT.get(status, ERROR_TEXT[500])
    return render_template("errors/error.html", status=status, title=title, hint=message or hint), status


API_CODES = {400: "bad_request", 401: "unauthorized", 403: "forbidden", 404: "not_found", 405: "method_not_allowed",
             409: "conflict", 413: "payload_too_large", 415: "unsupported_media_type", 422: "invalid_input",
             429: "rate_limited", 500: "server_error"}


class RowId(IntegerConverter):
    """<int:...> in every route: ids past what an integer column holds are a 404, not a database error."""

    def __init__(self, map, *args, **kwargs):  # noqa: A002 - werkzeug's name
        kwargs.setdefault("max", 2_147_483_647)
        super().__init__(map, *args, **kwargs)


def register_web(app: Flask) -> None:
    app.url_map.converters["int"] = RowId
    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException):
        status = exc.code or 500
        if wants_json():
            message = exc.description if status not in (404, 405, 500) else ERROR_TEXT.get(status, ERROR_TEXT[500])[0]
            if status == 429:
                message = "Too many requests. Please wait a minute and try again."
            return api_error(API_CODES.get(status, "error"), message, status)
        return error_page(status)

    @app.errorhandler(CSRFError)
    def csrf_error(exc: CSRFError):
        if wants_json():
            return api_error("csrf_failed", "This form has expired. Please reload the page.", 400)
        return error_page(400, "This form has expired or was sent from somewhere else. Please reload the page "
                               "and try again.")

    @app.errorhandler(DomainError)
    def domain_error(exc: DomainError):
        db.session.rollback()
        if wants_json():
            return api_error(exc.code, exc.message, exc.status, exc.fields)
        return error_page(exc.status, exc.message)

    @app.errorhandler(Exception)
    def unexpected(exc: Exception):
        db.session.rollback()
        app.logger.exception("unhandled error on %s %s", request.method, request.path)
        if wants_json():
            return api_error("server_error", "Something went wrong on our side.", 500)
        return error_page(500)

    # Flask-Limiter keeps its settings on the one process-wide `limiter`, so building a second app (tests, the
    # e2e live server) would switch the first app's limits on or off and share its storage. create_app has
    # just called limiter.init_app(app): keep what that set up, and put it back at the start of each request.
    own_limits = {name: getattr(limiter, name) for name in ("enabled", "_storage", "_limiter")}
    own_limits["_key_prefix"] = app.config.get("RATELIMIT_KEY_PREFIX", "")

    @app.before_request
    def use_own_rate_limits() -> None:
        for name, value in own_limits.items():
            setattr(limiter, name, value)

    @app.before_request
    def nonce() -> None:
        g.csp_nonce = secrets.token_urlsafe(16)

    @app.after_request
    def security_headers(response):
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "strict-origin-when-cross-origin")
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
        response.headers.setdefault(
            "Content-Security-Policy",
            "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
            "font-src 'self'; connect-src 'self'; frame-ancestors 'none'; base-uri 'self'; form-action 'self'",
        )
        if app.config["SESSION_COOKIE_SECURE"]:
            response.headers.setdefault("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
        return response

    @app.get("/healthz")
    @public
    def healthz():
        try:
            db.session.execute(text("SELECT 1"))
        except Exception:  # noqa: BLE001 - any failure to reach the database is "down"
            db.session.rollback()
            return jsonify({"status": "error", "database": "error"}), 503
        return jsonify({"status": "ok", "database": "ok"})

    @app.template_filter("in_zone")
    def in_zone(value: dt.datetime, zone_name: str | None = None) -> dt.datetime:
        zone_name = zone_name or viewer_zone()
        return local(value, zone_name if is_valid_zone(zone_name) else "UTC")

    @app.template_filter("when")
    def when(value: dt.datetime, zone_name: str | None = None, fmt: str = "%a %-d %b %Y, %-I:%M %p") -> str:
        at = in_zone(value, zone_name)
        return at.strftime(fmt).replace("AM", "am").replace("PM", "pm")

    @app.template_filter("linkify")
    def linkify(text: str) -> Markup:
        """Plain text with its http(s) links clickable; everything else escaped."""
        out, last = [], 0
        for m in _URL.finditer(text or ""):
            out.append(escape(text[last:m.start()]))
            url = m.group(0)
            out.append(Markup('<a href="{0}">{0}</a>').format(url))
            last = m.end()
        out.append(escape((text or "")[last:]))
        return Markup("").join(out)

    @app.context_processor
    def globals_for_templates():
        return {"viewer_zone": viewer_zone(), "business": BUSINESS, "url_map_endpoints": app.view_functions}


def viewer_zone() -> str:
    if not has_request_context():
        return "UTC"  # an email rendered by a job or a command: no visitor to ask
    if current_user.is_authenticated and is_valid_zone(current_user.timezone):
        return current_user.timezone
    zone_name = request.args.get("timezone") or request.cookies.get("tz")
    return zone_name if is_valid_zone(zone_name) else "UTC"


BUSINESS = {
    "name": "Stride Lab",
    "tagline": "Run strong. Stay unbroken.",
    "summary": "Physical-therapist running coaches who fix the weak links behind your nagging injury, "
               "so you can train without pain and race faster.",
}
