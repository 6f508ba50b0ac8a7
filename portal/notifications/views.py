"""/dev/mail: the mail a development server has sent, so links work without a mail server."""
from __future__ import annotations

from email import policy
from email.parser import BytesParser
from pathlib import Path

from flask import Blueprint, abort, current_app, render_template
from sqlalchemy import select

from portal.core.access import public
from portal.extensions import db
from portal.notifications.models import OutboxEmail

bp = Blueprint("dev_mail", __name__, url_prefix="/dev/mail")


@bp.get("")
@public
def inbox():
    emails = db.session.scalars(select(OutboxEmail).order_by(OutboxEmail.id.desc()).limit(200)).all()
    return render_template("dev/mail_list.html", emails=emails)


@bp.get("/<int:email_id>")
@public
def show(email_id: int):
    email = db.session.get(OutboxEmail, email_id)
    if email is None:
        abort(404)
    attachments = []
    eml = _eml_for(email)
    if eml is not None:
        msg = BytesParser(policy=policy.default).parsebytes(eml.read_bytes())
        attachments = [(part.get_filename(), part.get_content_type()) for part in msg.iter_attachments()]
    return render_template("dev/mail_show.html", email=email, attachments=attachments)


def _eml_for(email: OutboxEmail) -> Path | None:
    if not email.message_id:
        return None
    name = email.message_id.strip("<>").replace("/", "_").replace("@", "_at_")
    path = Path(current_app.config["MAIL_DIR"]) / f"{name}.eml"
    return path if path.exists() else None


@bp.get("/<int:email_id>/html")
@public
def show_html(email_id: int):
    email = db.session.get(OutboxEmail, email_id)
    if email is None:
        abort(404)
    response = current_app.response_class(email.html_body, mimetype="text/html")
    # The email's own HTML, rendered as the recipient's mail client would: inline styles, never scripts.
    response.headers["Content-Security-Policy"] = ("default-src 'none'; style-src 'unsafe-inline'; img-src 'self' "
                                                   "data:; frame-ancestors 'self'")
    response.headers["X-Frame-Options"] = "SAMEORIGIN"
    return response
