"""Event types, coaches' hours and busy times, and bookings."""
from __future__ import annotations

import datetime as dt
from enum import StrEnum

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    Time,
    UniqueConstraint,
    text,
)
from sqlalchemy.dialects.postgresql import ExcludeConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.accounts.models import CoachProfile
from portal.core.types import UTCDateTime
from portal.extensions import db

STRATEGY_CALL = "strategy-call"


class BookingStatus(StrEnum):
    CONFIRMED = "confirmed"
    CANCELLED = "cancelled"


class Outcome(StrEnum):
    COMPLETED = "completed"
    NO_SHOW = "no_show"
    ENROLLED = "enrolled"


class EventType(db.Model):
    __tablename__ = "event_types"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    title: Mapped[str] = mapped_column(String(120))
    description: Mapped[str] = mapped_column(Text, default="")
    duration_minutes: Mapped[int] = mapped_column(Integer, default=30)
    slot_interval_minutes: Mapped[int] = mapped_column(Integer, default=30)
    buffer_before_minutes: Mapped[int] = mapped_column(Integer, default=0)
    buffer_after_minutes: Mapped[int] = mapped_column(Integer, default=0)
    minimum_notice_minutes: Mapped[int] = mapped_column(Integer, default=240)
    booking_window_days: Mapped[int] = mapped_column(Integer, default=30)
    daily_limit: Mapped[int | None] = mapped_column(Integer)
    cancel_notice_minutes: Mapped[int] = mapped_column(Integer, default=120)
    questions: Mapped[list] = mapped_column(JSON, default=list)
    # New coaches join it automatically (the strategy call: every coach takes them by default).
    auto_join: Mapped[bool] = mapped_column(Boolean, default=False)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())

    coaches: Mapped[list[EventTypeCoach]] = relationship(back_populates="event_type", cascade="all, delete-orphan")

    __table_args__ = (
        CheckConstraint("duration_minutes BETWEEN 5 AND 480", name="duration"),
        CheckConstraint("slot_interval_minutes BETWEEN 5 AND 480", name="interval"),
        CheckConstraint("buffer_before_minutes BETWEEN 0 AND 240 AND buffer_after_minutes BETWEEN 0 AND 240",
                        name="buffers"),
        CheckConstraint("minimum_notice_minutes >= 0 AND booking_window_days BETWEEN 1 AND 365", name="window"),
        CheckConstraint("daily_limit IS NULL OR daily_limit >= 1", name="daily_limit"),
    )


class EventTypeCoach(db.Model):
    __tablename__ = "event_type_coaches"

    event_type_id: Mapped[int] = mapped_column(ForeignKey("event_types.id", ondelete="CASCADE"), primary_key=True)
    coach_id: Mapped[int] = mapped_column(ForeignKey("coach_profiles.id", ondelete="CASCADE"), primary_key=True)

    event_type: Mapped[EventType] = relationship(back_populates="coaches")
    coach: Mapped[CoachProfile] = relationship()


class WeeklyHours(db.Model):
    """One working interval on a weekday, in the coach's own zone."""

    __tablename__ = "weekly_hours"

    id: Mapped[int] = mapped_column(primary_key=True)
    coach_id: Mapped[int] = mapped_column(ForeignKey("coach_profiles.id", ondelete="CASCADE"), index=True)
    weekday: Mapped[int] = mapped_column(Integer)  # 0 = Monday
    starts: Mapped[dt.time] = mapped_column(Time)
    ends: Mapped[dt.time] = mapped_column(Time)  # 00:00 means midnight at the end of the day

    __table_args__ = (CheckConstraint("weekday BETWEEN 0 AND 6", name="weekday"),)


class AvailabilityOverride(db.Model):
    """Other hours for one date in the coach's zone; no intervals means a day off."""

    __tablename__ = "availability_overrides"

    id: Mapped[int] = mapped_column(primary_key=True)
    coach_id: Mapped[int] = mapped_column(ForeignKey("coach_profiles.id", ondelete="CASCADE"))
    on: Mapped[dt.date] = mapped_column(Date)
    intervals: Mapped[list] = mapped_column(JSON, default=list)  # [["09:00", "12:00"], ...]

    __table_args__ = (UniqueConstraint("coach_id", "on", name="uq_availability_overrides_coach_on"),)


class TimeOff(db.Model):
    """Whole days away, from starts_on to ends_on inclusive, in the coach's zone."""

    __tablename__ = "time_off"

    id: Mapped[int] = mapped_column(primary_key=True)
    coach_id: Mapped[int] = mapped_column(ForeignKey("coach_profiles.id", ondelete="CASCADE"), index=True)
    starts_on: Mapped[dt.date] = mapped_column(Date)
    ends_on: Mapped[dt.date] = mapped_column(Date)
    note: Mapped[str] = mapped_column(String(200), default="")

    __table_args__ = (CheckConstraint("ends_on >= starts_on", name="range"),)


class BlockedTime(db.Model):
    __tablename__ = "blocked_times"

    id: Mapped[int] = mapped_column(primary_key=True)
    coach_id: Mapped[int] = mapped_column(ForeignKey("coach_profiles.id", ondelete="CASCADE"))
    start_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    end_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    note: Mapped[str] = mapped_column(String(200), default="")

    __table_args__ = (
        CheckConstraint("end_at > start_at", name="range"),
        Index("ix_blocked_times_coach_start", "coach_id", "start_at"),
    )


class CalendarSource(db.Model):
    """A coach's own calendar whose events make them busy: an uploaded file or an ICS address."""

    __tablename__ = "calendar_sources"

    id: Mapped[int] = mapped_column(primary_key=True)
    coach_id: Mapped[int] = mapped_column(ForeignKey("coach_profiles.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(10))  # "upload" | "url"
    name: Mapped[str] = mapped_column(String(200))
    url: Mapped[str] = mapped_column(String(1000), default="")
    status: Mapped[str] = mapped_column(String(20), default="pending")  # pending | ok | error
    last_error: Mapped[str] = mapped_column(String(500), default="")
    last_fetched_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    next_fetch_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())


class BusyTime(db.Model):
    __tablename__ = "busy_times"

    id: Mapped[int] = mapped_column(primary_key=True)
    coach_id: Mapped[int] = mapped_column(ForeignKey("coach_profiles.id", ondelete="CASCADE"))
    source_id: Mapped[int] = mapped_column(ForeignKey("calendar_sources.id", ondelete="CASCADE"), index=True)
    start_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    end_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())

    __table_args__ = (Index("ix_busy_times_coach_start", "coach_id", "start_at"),)


class CalendarFeed(db.Model):
    """The secret address of a coach's private ICS subscription (only the hash is stored)."""

    __tablename__ = "calendar_feeds"

    coach_id: Mapped[int] = mapped_column(ForeignKey("coach_profiles.id", ondelete="CASCADE"), primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())


class Booking(db.Model):
    __tablename__ = "bookings"

    id: Mapped[int] = mapped_column(primary_key=True)
    event_type_id: Mapped[int] = mapped_column(ForeignKey("event_types.id"))
    coach_id: Mapped[int] = mapped_column(ForeignKey("coach_profiles.id"))
    start_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    end_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    # The time the booking keeps the coach from other calls: the meeting plus its buffers.
    blocked_start_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    blocked_end_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    status: Mapped[str] = mapped_column(String(16), default=BookingStatus.CONFIRMED)
    invitee_name: Mapped[str] = mapped_column(String(120))
    invitee_email: Mapped[str] = mapped_column(String(254))
    invitee_timezone: Mapped[str] = mapped_column(String(64))
    answers: Mapped[dict] = mapped_column(JSON, default=dict)
    # Half of the manage link: the link is this nonce and the booking id, signed with the secret key, so a
    # leaked database alone cannot forge one, and a new nonce revokes every link sent so far.
    manage_nonce: Mapped[str] = mapped_column(String(64), unique=True)
    sequence: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    cancelled_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    cancel_reason: Mapped[str] = mapped_column(String(1000), default="")
    cancelled_by: Mapped[str] = mapped_column(String(16), default="")  # invitee | coach
    outcome: Mapped[str | None] = mapped_column(String(16))
    notes: Mapped[str] = mapped_column(Text, default="")

    event_type: Mapped[EventType] = relationship()
    coach: Mapped[CoachProfile] = relationship()

    __table_args__ = (
        CheckConstraint("end_at > start_at AND blocked_start_at <= start_at AND blocked_end_at >= end_at",
                        name="times"),
        CheckConstraint("status IN ('confirmed', 'cancelled')", name="status"),
        Index("ix_bookings_coach_blocked", "coach_id", "blocked_start_at"),
        Index("ix_bookings_start", "start_at"),
        # The database itself refuses two active bookings of one coach whose times (buffers included) overlap.
        ExcludeConstraint(
            ("coach_id", "="),
            (text("tstzrange(blocked_start_at, blocked_end_at, '[)')"), "&&"),
            where=text("status = 'confirmed'"),
            using="gist",
            name="ex_bookings_no_overlap",
        ).ddl_if(dialect="postgresql"),
    )
