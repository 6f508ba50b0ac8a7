"""Sign in, sign out, register, reset and change passwords, profile, coach invitations."""
from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_user, logout_user
from sqlalchemy import select

from portal.accounts import services
from portal.accounts.forms import (
    ChangePasswordForm,
    ConfirmForm,
    InviteCoachForm,
    LoginForm,
    ProfileForm,
    RegisterForm,
    ResetRequestForm,
    SetPasswordForm,
)
from portal.accounts.models import User
from portal.core import clock
from portal.core.access import Role, admin_only, public, signed_in
from portal.core.errors import DomainError, TokenInvalid
from portal.core.urls import external_url, is_safe_next
from portal.extensions import db, limiter
from portal.notifications.outbox import queue_email

bp = Blueprint("accounts", __name__)


def _login_email_key() -> str:
    return "login-email:" + (request.form.get("email") or "").strip().lower()[:254]


def _home_for(user: User) -> str:
    return url_for("coach.home") if user.is_staff else url_for("site.home")


def _apply_field_errors(form, exc: DomainError) -> None:
    for name, message in exc.fields.items():
        field = getattr(form, name, None)
        if field is not None:
            field.errors = [*field.errors, message] if isinstance(field.errors, list) else [message]


@bp.route("/login", methods=["GET", "POST"])
@public
@limiter.limit(lambda: current_app.config["RATELIMIT_LOGIN_IP"], methods=["POST"])
@limiter.limit(lambda: current_app.config["RATELIMIT_LOGIN_EMAIL"], methods=["POST"], key_func=_login_email_key)
def login():
    form = LoginForm()
    if request.method == "GET":
        form.next.data = request.args.get("next", "")
    if form.validate_on_submit():
        user = services.authenticate(form.email.data, form.password.data)
        if user is not None:
            login_user(user)
            flash(f"Welcome back, {user.first_name}.", "success")
            target = form.next.data
            return redirect(target if is_safe_next(target) else _home_for(user))
        form.password.errors = ["Email or password is not right."]
        return render_template("accounts/login.html", form=form), 401
    return render_template("accounts/login.html", form=form), 422 if form.errors else 200


@bp.route("/register", methods=["GET", "POST"])
@public
@limiter.limit(lambda: current_app.config["RATELIMIT_FORMS_IP"], methods=["POST"])
def register():
    if current_user.is_authenticated:
        return redirect(url_for("site.home"))
    form = RegisterForm()
    if request.method == "GET" and request.cookies.get("tz"):
        form.timezone.data = request.cookies.get("tz")
    if form.validate_on_submit():
        try:
            user = services.register_member(email=form.email.data, name=form.name.data,
                                            zone_name=form.timezone.data, password=form.password.data,
                                            now=clock.now())
        except DomainError as exc:
            _apply_field_errors(form, exc)
            flash(exc.message, "error")
            return render_template("accounts/register.html", form=form), exc.status
        login_user(user)
        flash("Your account is ready. Welcome to Stride Lab!", "success")
        return redirect(url_for("site.home"))
    return render_template("accounts/register.html", form=form), 422 if form.errors else 200


@bp.route("/logout", methods=["GET", "POST"])
@public
def logout():
    form = ConfirmForm()
    if request.method == "POST" and form.validate_on_submit():
        logout_user()
        flash("You are logged out.", "info")
        return redirect(url_for("site.home"))
    if not current_user.is_authenticated:
        return redirect(url_for("site.home"))
    return render_template("accounts/logout.html", form=form)


@bp.route("/reset-password", methods=["GET", "POST"])
@public
@limiter.limit(lambda: current_app.config["RATELIMIT_FORMS_IP"], methods=["POST"])
def reset_request():
    form = ResetRequestForm()
    if form.validate_on_submit():
        now = clock.now()
        user = services.find_by_email(form.email.data)
        if user is not None and user.active:
            token = services.reset_token(user, current_app.config["SECRET_KEY"])
            queue_email(dedupe_key=f"reset:{services.tokens.hash_token(token)}", to_addr=user.email,
                        to_name=user.name, subject="Reset your Stride Lab password", template="password_reset",
                        context={"user": user, "link": external_url("accounts.reset_with_token", token=token),
                                 "minutes": current_app.config["PASSWORD_RESET_MAX_AGE"] // 60}, now=now)
            db.session.commit()
        # The same answer whether or not the account exists.
        flash("If an account exists for that email, we have sent a link to reset the password. "
              "It works for one hour.", "info")
        return redirect(url_for("accounts.login"))
    return render_template("accounts/reset_request.html", form=form), 422 if form.errors else 200


def _set_password_page(token: str, purpose: str, max_age_key: str, template: str, done_message: str):
    secret = current_app.config["SECRET_KEY"]
    try:
        user = services.user_for_token(token, purpose, secret, current_app.config[max_age_key])
    except TokenInvalid as exc:
        return render_template("accounts/token_invalid.html", message=exc.message), 400
    form = SetPasswordForm()
    if form.validate_on_submit():
        try:
            services.set_password_with_token(token, purpose, form.password.data, secret,
                                             current_app.config[max_age_key], clock.now())
        except TokenInvalid as exc:
            return render_template("accounts/token_invalid.html", message=exc.message), 400
        except DomainError as exc:
            _apply_field_errors(form, exc)
            return render_template(template, form=form, user=user), exc.status
        login_user(user)
        flash(done_message, "success")
        return redirect(_home_for(user))
    return render_template(template, form=form, user=user), 422 if form.errors else 200


@bp.route("/reset-password/<token>", methods=["GET", "POST"])
@public
def reset_with_token(token: str):
    return _set_password_page(token, "reset", "PASSWORD_RESET_MAX_AGE", "accounts/reset_password.html",
                              "Your password is changed and you are logged in.")


@bp.route("/invite/<token>", methods=["GET", "POST"])
@public
def accept_invite(token: str):
    return _set_password_page(token, "invite", "INVITE_MAX_AGE", "accounts/accept_invite.html",
                              "Welcome to the team! Your password is set.")


@bp.route("/account", methods=["GET", "POST"])
@signed_in
def profile():
    form = ProfileForm(obj=current_user)
    if form.validate_on_submit():
        try:
            services.update_profile(current_user, form.name.data, form.timezone.data)
        except DomainError as exc:
            _apply_field_errors(form, exc)
            return render_template("accounts/profile.html", form=form), exc.status
        flash("Your profile is saved.", "success")
        return redirect(url_for("accounts.profile"))
    return render_template("accounts/profile.html", form=form), 422 if form.errors else 200


@bp.route("/account/password", methods=["GET", "POST"])
@signed_in
@limiter.limit(lambda: current_app.config["RATELIMIT_FORMS_IP"], methods=["POST"])
def change_password():
    form = ChangePasswordForm()
    if form.validate_on_submit():
        try:
            services.change_password(current_user, form.current_password.data, form.password.data, clock.now())
        except DomainError as exc:
            _apply_field_errors(form, exc)
            return render_template("accounts/change_password.html", form=form), exc.status
        login_user(current_user)  # refresh the session after the change
        flash("Your password is changed.", "success")
        return redirect(url_for("accounts.profile"))
    return render_template("accounts/change_password.html", form=form), 422 if form.errors else 200


@bp.route("/admin/coaches", methods=["GET", "POST"])
@admin_only
def coaches():
    form = InviteCoachForm()
    if form.validate_on_submit():
        now = clock.now()
        try:
            coach = services.invite_coach(email=form.email.data, name=form.name.data, zone_name=form.timezone.data,
                                          now=now)
        except DomainError as exc:
            _apply_field_errors(form, exc)
            return _coaches_page(form), exc.status
        token = services.invite_token(coach, current_app.config["SECRET_KEY"])
        queue_email(dedupe_key=f"invite:{coach.id}:{services.tokens.hash_token(token)}", to_addr=coach.email,
                    to_name=coach.name, subject="You're invited to coach with Stride Lab", template="coach_invite",
                    context={"user": coach, "inviter": current_user, "link": external_url("accounts.accept_invite",
                                                                                          token=token)}, now=now)
        db.session.commit()
        flash(f"Invitation sent to {coach.email}.", "success")
        return redirect(url_for("accounts.coaches"))
    return _coaches_page(form), 422 if form.errors else 200


def _coaches_page(form):
    staff = db.session.scalars(select(User).where(User.role.in_([Role.COACH, Role.ADMIN])).order_by(User.name)).all()
    return render_template("accounts/coaches.html", form=form, staff=staff, action_form=ConfirmForm())


@bp.post("/admin/coaches/<int:user_id>/active")
@admin_only
def set_coach_active(user_id: int):
    form = ConfirmForm()
    if not form.validate_on_submit():
        return redirect(url_for("accounts.coaches"))
    activate = request.form.get("active") == "1"
    try:
        coach = services.set_active(user_id, activate, current_user)
    except DomainError as exc:
        flash(exc.message, "error")
        return redirect(url_for("accounts.coaches"))
    flash(f"{coach.name} is {'active again' if activate else 'deactivated'}.", "success")
    return redirect(url_for("accounts.coaches"))
