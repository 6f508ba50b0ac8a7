"""Import every capability's models so the metadata (and Alembic) sees all tables."""
from portal.accounts.models import ApiToken, CoachProfile, UsedToken, User  # noqa: F401
from portal.notifications.models import OutboxAttachment, OutboxEmail  # noqa: F401
from portal.scheduling.models import (  # noqa: F401
    AvailabilityOverride,
    BlockedTime,
    Booking,
    BusyTime,
    CalendarFeed,
    CalendarSource,
    EventType,
    EventTypeCoach,
    TimeOff,
    WeeklyHours,
)
