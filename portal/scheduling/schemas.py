"""API request and response models for scheduling; the same models validate input and write the OpenAPI."""
from __future__ import annotations

import datetime as dt
import re
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, field_validator, model_validator

from portal.core.timezones import is_valid_zone

MAX_RANGE_DAYS = 62
HHMM = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$|^24:00$")
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")

Slug = Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9-]{0,79}$")]


EARLIEST = dt.date(2000, 1, 1)
LATEST = dt.date(2199, 12, 31)


def _sane_date(value: dt.date) -> dt.date:
    if not EARLIEST <= value <= LATEST:
        raise ValueError(f"pick a date between {EARLIEST} and {LATEST}")
    return value


def _zone(value: str) -> str:
    if not is_valid_zone(value):
        raise ValueError("not a known IANA time zone, e.g. Europe/London")
    return value


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class CoachRef(BaseModel):
    slug: str
    name: str


class EventTypeOut(BaseModel):
    slug: str
    title: str
    duration_minutes: int
    coaches: list[CoachRef]


class SlotsQuery(Strict):
    start: dt.date = Field(description="First day, in `timezone`")
    end: dt.date = Field(description="Last day (included), in `timezone`; at most 62 days after start")
    timezone: str = Field(default="UTC", description="IANA zone the days and times are in")
    coach: Slug | None = Field(default=None, description="Only this coach's times")

    _check_zone = field_validator("timezone")(_zone)
    _check_dates = field_validator("start", "end")(_sane_date)

    @model_validator(mode="after")
    def _range(self) -> SlotsQuery:
        if self.end < self.start:
            raise ValueError("end is before start")
        if (self.end - self.start).days >= MAX_RANGE_DAYS:
            raise ValueError(f"ask for at most {MAX_RANGE_DAYS} days at a time")
        return self


class SlotOut(BaseModel):
    start: str
    end: str
    coaches: list[str]


class SlotsOut(BaseModel):
    timezone: str
    slots: list[SlotOut]


class BookingIn(Strict):
    event_type: Slug
    start: dt.datetime = Field(description="ISO 8601 with a UTC offset, as listed by the slots endpoint")
    timezone: str = Field(description="The invitee's IANA zone")
    name: Annotated[str, StringConstraints(min_length=1, max_length=120)]
    email: Annotated[str, StringConstraints(min_length=3, max_length=254)]
    answers: dict[str, Any] = Field(default_factory=dict)
    coach: Slug | None = None
    website: str | None = Field(default=None, description="Leave empty (a trap for bots)")

    _check_zone = field_validator("timezone")(_zone)

    @field_validator("start")
    @classmethod
    def _aware(cls, value: dt.datetime) -> dt.datetime:
        if value.tzinfo is None:
            raise ValueError("include a UTC offset, e.g. 2026-12-01T14:00:00+00:00")
        return value


class BookingOut(BaseModel):
    id: int
    start: str
    end: str
    status: str
    coach: CoachRef
    manage_url: str


class CancelIn(Strict):
    token: Annotated[str, StringConstraints(min_length=10, max_length=2048)]
    reason: Annotated[str, StringConstraints(max_length=1000)] | None = None


class CancelOut(BaseModel):
    id: int
    status: str


Interval = Annotated[list[str], Field(min_length=2, max_length=2)]


def _check_intervals(intervals: list[list[str]]) -> list[list[str]]:
    if len(intervals) > 12:
        raise ValueError("at most 12 intervals a day")
    for a, b in intervals:
        if not HHMM.match(a) or not HHMM.match(b):
            raise ValueError("times are HH:MM, 00:00 to 24:00")
        if b != "24:00" and b <= a:
            raise ValueError(f"{a}-{b} ends before it starts")
    ordered = sorted(intervals)
    for (a1, b1), (a2, _) in zip(ordered, ordered[1:], strict=False):
        if a2 < b1:
            raise ValueError(f"{a1}-{b1} overlaps the next interval")
    return ordered


class OverrideIO(Strict):
    date: dt.date
    intervals: list[Interval] = Field(default_factory=list)

    _check = field_validator("intervals")(_check_intervals)
    _check_date = field_validator("date")(_sane_date)


class AvailabilityIO(Strict):
    timezone: str
    weekly: dict[str, list[Interval]]
    overrides: list[OverrideIO] = Field(default_factory=list, max_length=400)

    _check_zone = field_validator("timezone")(_zone)

    @field_validator("weekly")
    @classmethod
    def _weekly(cls, value: dict[str, list[list[str]]]) -> dict[str, list[list[str]]]:
        unknown = set(value) - set(WEEKDAYS)
        if unknown:
            raise ValueError(f"days are {', '.join(WEEKDAYS)}")
        return {day: _check_intervals(value.get(day, [])) for day in WEEKDAYS}

    @field_validator("overrides")
    @classmethod
    def _unique_dates(cls, value: list[OverrideIO]) -> list[OverrideIO]:
        if len({o.date for o in value}) != len(value):
            raise ValueError("each date at most once")
        return value


class MyBookingsQuery(Strict):
    start: dt.date
    end: dt.date

    _check_dates = field_validator("start", "end")(_sane_date)

    @model_validator(mode="after")
    def _range(self) -> MyBookingsQuery:
        if self.end < self.start:
            raise ValueError("end is before start")
        if (self.end - self.start).days > 366:
            raise ValueError("ask for at most a year at a time")
        return self


class Invitee(BaseModel):
    name: str
    email: str
    timezone: str


class MyBooking(BaseModel):
    id: int
    start: str
    end: str
    status: str
    event_type: str
    invitee: Invitee
    answers: dict[str, str]


class MyBookingsOut(BaseModel):
    bookings: list[MyBooking]


class EventTypePatch(Strict):
    duration_minutes: int | None = Field(default=None, ge=5, le=480)
    slot_interval_minutes: int | None = Field(default=None, ge=5, le=480)
    buffer_before_minutes: int | None = Field(default=None, ge=0, le=240)
    buffer_after_minutes: int | None = Field(default=None, ge=0, le=240)
    minimum_notice_minutes: int | None = Field(default=None, ge=0, le=60 * 24 * 90)
    booking_window_days: int | None = Field(default=None, ge=1, le=365)
    daily_limit: int | None = Field(default=None, ge=1, le=100)
    cancel_notice_minutes: int | None = Field(default=None, ge=0, le=60 * 24 * 30)


class EventTypeSettings(BaseModel):
    slug: str
    title: str
    duration_minutes: int
    slot_interval_minutes: int
    buffer_before_minutes: int
    buffer_after_minutes: int
    minimum_notice_minutes: int
    booking_window_days: int
    daily_limit: int | None
    cancel_notice_minutes: int
