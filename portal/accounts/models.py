"""People who sign in: members, coaches and admins (the head coach is an admin)."""
from __future__ import annotations

import datetime as dt

from flask_login import UserMixin
from sqlalchemy import Boolean, ForeignKey, Index, Integer, String, func
from sqlalchemy.orm import Mapped, mapped_column, relationship
from werkzeug.security import check_password_hash, generate_password_hash

from portal.core.access import Role
from portal.core.types import UTCDateTime
from portal.extensions import db


class User(UserMixin, db.Model):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254))
    name: Mapped[str] = mapped_column(String(120))
    role: Mapped[str] = mapped_column(String(16), default=Role.MEMBER)
    timezone: Mapped[str] = mapped_column(String(64), default="UTC")
    password_hash: Mapped[str | None] = mapped_column(String(255))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    password_changed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())

    coach: Mapped[CoachProfile | None] = relationship(back_populates="user", uselist=False)

    __table_args__ = (
        # Case-insensitive uniqueness, enforced by the database on both SQLite and PostgreSQL.
        Index("uq_users_email_lower", func.lower(email), unique=True),
    )

    def set_password(self, password: str) -> None:
        self.password_hash = generate_password_hash(password)

    def check_password(self, password: str) -> bool:
        return bool(self.password_hash) and check_password_hash(self.password_hash or "", password)

    @property
    def is_active(self) -> bool:  # Flask-Login refuses inactive users
        return self.active

    @property
    def is_staff(self) -> bool:
        return self.role in (Role.COACH, Role.ADMIN)

    @property
    def is_admin(self) -> bool:
        return self.role == Role.ADMIN

    @property
    def first_name(self) -> str:
        return self.name.split()[0] if self.name.split() else self.name


class CoachProfile(db.Model):
    """What a coach shows prospects; its row is also the lock that serialises a coach's bookings."""

    __tablename__ = "coach_profiles"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), unique=True)
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    title: Mapped[str] = mapped_column(String(120), default="Running coach")
    bio: Mapped[str] = mapped_column(String(2000), default="")
    video_url: Mapped[str] = mapped_column(String(500), default="")
    takes_bookings: Mapped[bool] = mapped_column(Boolean, default=True)
    # Bumped by database triggers whenever anything that decides the coach's free times changes
    # (bookings, hours, overrides, time off, blocked and busy times); cached slot lists key on it.
    calendar_version: Mapped[int] = mapped_column(Integer, default=0, server_default="0")

    user: Mapped[User] = relationship(back_populates="coach")

    @property
    def name(self) -> str:
        return self.user.name

    @property
    def timezone(self) -> str:
        return self.user.timezone


class ApiToken(db.Model):
    """A bearer token for a coach or admin; only its hash is stored."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    last_used_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    revoked_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())

    user: Mapped[User] = relationship()


class UsedToken(db.Model):
    """Single-use email links (password reset, invitations) are remembered here once spent."""

    __tablename__ = "used_tokens"

    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    used_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
