"""Account use cases. Each takes `now` and plain values, and commits once."""
from __future__ import annotations

import datetime as dt
import functools
import re
import unicodedata

from email_validator import EmailNotValidError, validate_email
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from werkzeug.security import check_password_hash, generate_password_hash

from portal.accounts.models import ApiToken, CoachProfile, UsedToken, User
from portal.core import tokens
from portal.core.access import Role
from portal.core.errors import Conflict, InvalidInput, NotFound, TokenInvalid
from portal.core.timezones import is_valid_zone
from portal.extensions import db

MIN_PASSWORD = 10
MAX_PASSWORD = 200


def normalise_email(raw: str) -> str:
    try:
        return validate_email((raw or "").strip(), check_deliverability=False).normalized.lower()
    except EmailNotValidError as exc:
        raise InvalidInput("Please enter a valid email address.", fields={"email": "Enter a valid email address."}) \
            from exc


def check_password_rules(password: str) -> None:
    if len(password or "") < MIN_PASSWORD:
        raise InvalidInput(f"Use at least {MIN_PASSWORD} characters.",
                           fields={"password": f"At least {MIN_PASSWORD} characters."})
    if len(password) > MAX_PASSWORD:
        raise InvalidInput("That password is too long.", fields={"password": f"At most {MAX_PASSWORD} characters."})


def check_name(name: str) -> str:
    name = " ".join((name or "").split())
    if not name:
        raise InvalidInput("Please tell us your name.", fields={"name": "Enter your name."})
    if len(name) > 120:
        raise InvalidInput("That name is too long.", fields={"name": "At most 120 characters."})
    return name


def check_zone(zone_name: str) -> str:
    if not is_valid_zone(zone_name):
        raise InvalidInput("Please choose a time zone from the list.", fields={"timezone": "Choose a time zone."})
    return zone_name


def find_by_email(email: str) -> User | None:
    return db.session.scalar(select(User).where(func.lower(User.email) == email.strip().lower()))


def _new_user(email: str, name: str, zone_name: str, role: Role, password: str | None, now: dt.datetime) -> User:
    email = normalise_email(email)
    user = User(email=email, name=check_name(name), timezone=check_zone(zone_name), role=role, active=True,
                created_at=now)
    if password is not None:
        check_password_rules(password)
        user.set_password(password)
        user.password_changed_at = now
    if find_by_email(email) is not None:
        raise Conflict("An account with that email already exists. Log in, or reset your password.",
                       fields={"email": "Already registered."})
    db.session.add(user)
    try:
        db.session.flush()
    except IntegrityError as exc:
        db.session.rollback()
        raise Conflict("An account with that email already exists.", fields={"email": "Already registered."}) from exc
    return user


def register_member(*, email: str, name: str, zone_name: str, password: str, now: dt.datetime) -> User:
    """A new member account; emails are unique whatever their case."""
    user = _new_user(email, name, zone_name, Role.MEMBER, password, now)
    db.session.commit()
    return user


def authenticate(email: str, password: str) -> User | None:
    """The user for these credentials, or None; callers show one message for every failure."""
    user = find_by_email(email or "")
    if user is None:
        # Spend the same time hashing as a real check, so timing does not reveal who has an account.
        check_password_hash(_dummy_hash(), password or "")
        return None
    if not user.active or not user.check_password(password or ""):
        return None
    return user


@functools.cache
def _dummy_hash() -> str:
    return generate_password_hash("not-a-real-password")


def slugify(text: str) -> str:
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:60] or "coach"


def _unique_slug(base: str) -> str:
    slug, n = base, 2
    while db.session.scalar(select(CoachProfile.id).where(CoachProfile.slug == slug)) is not None:
        slug, n = f"{base}-{n}", n + 1
    return slug


def create_coach(*, email: str, name: str, zone_name: str, password: str | None, now: dt.datetime,
                 role: Role = Role.COACH, title: str = "Running coach", bio: str = "", video_url: str = "") -> User:
    """A coach (or admin coach) with a public profile; a new coach takes strategy calls by default."""
    from portal.scheduling.services import add_coach_to_default_event_types

    user = _new_user(email, name, zone_name, role, password, now)
    profile = CoachProfile(user_id=user.id, slug=_unique_slug(slugify(user.name)), title=title, bio=bio,
                           video_url=video_url, takes_bookings=True)
    db.session.add(profile)
    db.session.flush()
    add_coach_to_default_event_types(profile, now)
    db.session.commit()
    return user


def ensure_coach_profile(user: User, now: dt.datetime) -> CoachProfile:
    if user.coach is None:
        from portal.scheduling.services import add_coach_to_default_event_types

        profile = CoachProfile(user_id=user.id, slug=_unique_slug(slugify(user.name)), takes_bookings=True)
        db.session.add(profile)
        db.session.flush()
        add_coach_to_default_event_types(profile, now)
    return user.coach  # type: ignore[return-value]


# --- one-time links -----------------------------------------------------------------------------------

def _password_fingerprint(user: User) -> str:
    # Changing the password changes this, so every older reset link stops working.
    return tokens.hash_token(user.password_hash or "none")[:16]


def reset_token(user: User, secret_key: str) -> str:
    return tokens.sign(secret_key, "reset", {"uid": user.id, "pw": _password_fingerprint(user)})


def invite_token(user: User, secret_key: str) -> str:
    return tokens.sign(secret_key, "invite", {"uid": user.id, "pw": _password_fingerprint(user)})


def user_for_token(token: str, purpose: str, secret_key: str, max_age: int) -> User:
    payload = tokens.verify(secret_key, purpose, token, max_age)
    if not isinstance(payload, dict) or not isinstance(payload.get("uid"), int):
        raise TokenInvalid("This link is not valid.")
    user = db.session.get(User, payload["uid"])
    used = db.session.get(UsedToken, tokens.spent_key(token))
    if user is None or used is not None or payload.get("pw") != _password_fingerprint(user) or not user.active:
        raise TokenInvalid("This link has already been used or is no longer valid. Please ask for a new one.")
    return user


def set_password_with_token(token: str, purpose: str, password: str, secret_key: str, max_age: int,
                            now: dt.datetime) -> User:
    """Set a password from an emailed link; each link works once and only until it expires."""
    user = user_for_token(token, purpose, secret_key, max_age)
    check_password_rules(password)
    user.set_password(password)
    user.password_changed_at = now
    db.session.add(UsedToken(token_hash=tokens.spent_key(token), used_at=now))
    try:
        db.session.commit()
    except IntegrityError as exc:
        db.session.rollback()
        raise TokenInvalid("This link has already been used. Please ask for a new one.") from exc
    return user


def change_password(user: User, current: str, new: str, now: dt.datetime) -> None:
    if not user.check_password(current or ""):
        raise InvalidInput("Your current password is not right.", fields={"current_password": "Not right."})
    check_password_rules(new)
    user.set_password(new)
    user.password_changed_at = now
    db.session.commit()


def update_profile(user: User, name: str, zone_name: str) -> None:
    user.name = check_name(name)
    user.timezone = check_zone(zone_name)
    db.session.commit()


def invite_coach(*, email: str, name: str, zone_name: str, now: dt.datetime) -> User:
    """A coach account with no password yet; the caller emails the set-password link."""
    return create_coach(email=email, name=name, zone_name=zone_name, password=None, now=now)


def set_active(user_id: int, active: bool, actor: User) -> User:
    user = db.session.get(User, user_id)
    if user is None or user.role == Role.MEMBER:
        raise NotFound("No such coach.")
    if user.id == actor.id:
        raise InvalidInput("You cannot deactivate your own account.")
    user.active = active
    if user.coach is not None:
        user.coach.takes_bookings = active
    db.session.commit()
    return user


def create_api_token(email: str, now: dt.datetime) -> str:
    """A new bearer token for a coach or admin; only its hash is kept."""
    user = find_by_email(email)
    if user is None or not user.is_staff:
        raise NotFound("No coach or admin has that email.")
    raw = "ptl_" + tokens.random_token(32)
    db.session.add(ApiToken(user_id=user.id, token_hash=tokens.hash_token(raw), created_at=now))
    db.session.commit()
    return raw


def user_for_api_token(raw: str, now: dt.datetime) -> User | None:
    if not raw or len(raw) > 200:
        return None
    row = db.session.scalar(select(ApiToken).where(ApiToken.token_hash == tokens.hash_token(raw),
                                                   ApiToken.revoked_at.is_(None)))
    if row is None or not row.user.active or not row.user.is_staff:
        return None
    return row.user


def update_coach_profile(profile: CoachProfile, *, title: str, bio: str, video_url: str,
                         takes_bookings: bool) -> CoachProfile:
    """A coach's public booking profile; the video link must be an https address."""
    title = " ".join((title or "").split())
    if not title or len(title) > 120:
        raise InvalidInput("Please give a short title.", fields={"title": "Between 1 and 120 characters."})
    video_url = (video_url or "").strip()
    if video_url and (not video_url.startswith("https://") or len(video_url) > 500 or any(c.isspace()
                                                                                          for c in video_url)):
        raise InvalidInput("The video link must be an https:// address.",
                           fields={"video_url": "Paste an address that starts with https://."})
    profile.title, profile.bio, profile.video_url = title, (bio or "").strip()[:2000], video_url
    profile.takes_bookings = bool(takes_bookings) and profile.user.active
    db.session.commit()
    return profile
