"""Round-robin assignment: which of the coaches free at a slot gets the booking.

Pure: the caller gathers each free coach's load; the slot engine has already applied daily limits, so every
candidate here can take the booking.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

__all__ = ["Candidate", "pick_coach"]

_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)


@dataclass(frozen=True, slots=True)
class Candidate:
    """A coach free at the slot. `upcoming_bookings` counts the coach's active bookings of this event type
    over the coming weeks; `last_booked_at` is when the coach was last given a booking (None = never)."""

    key: str
    upcoming_bookings: int
    last_booked_at: dt.datetime | None

    def __post_init__(self) -> None:
        if self.upcoming_bookings < 0:
            raise ValueError("upcoming_bookings must not be negative")
        # Naive and aware datetimes cannot be ordered against each other; fail here, not mid-comparison.
        if self.last_booked_at is not None and self.last_booked_at.utcoffset() is None:
            raise ValueError("last_booked_at must be timezone-aware")


def pick_coach(candidates: Sequence[Candidate]) -> str:
    """The key of the coach who gets the booking.

    Fewest upcoming bookings wins; ties go to who has been idle longest (never booked first, then the
    oldest last_booked_at); a final tie is broken by key so the result is deterministic. ValueError on an
    empty sequence.
    """
    if not candidates:
        raise ValueError("no candidates to pick from")
    return min(candidates, key=_rank).key


def _rank(candidate: Candidate) -> tuple[int, bool, dt.datetime, str]:
    # False sorts before True, so "never booked" comes ahead of any timestamp.
    booked_before = candidate.last_booked_at is not None
    last = candidate.last_booked_at if candidate.last_booked_at is not None else _EPOCH
    return (candidate.upcoming_bookings, booked_before, last, candidate.key)
