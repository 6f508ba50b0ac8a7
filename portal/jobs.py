"""run_due(now): every time-driven duty, each idempotent, safe with several workers at once."""
from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable

log = logging.getLogger(__name__)

# Later capabilities append their duties here (reminders, calendar refreshes, drip unlocks ...).
DUTIES: list[tuple[str, Callable[[dt.datetime], int]]] = []


def duty(name: str):
    def register(fn: Callable[[dt.datetime], int]) -> Callable[[dt.datetime], int]:
        DUTIES.append((name, fn))
        return fn

    return register


def run_due(now: dt.datetime) -> dict[str, int]:
    """Run every duty once for `now`; one duty failing never stops the others."""
    from portal.extensions import db

    done: dict[str, int] = {}
    # Mail goes last so that emails queued by the other duties in this pass leave at once.
    for name, fn in sorted(DUTIES, key=lambda d: d[0] == "emails"):
        try:
            done[name] = fn(now)
        except Exception:  # noqa: BLE001 - a broken duty is logged and retried next pass
            db.session.rollback()
            log.exception("duty %s failed", name)
            done[name] = -1
    return done


def _register_core_duties() -> None:
    from portal.notifications.sending import send_due_emails
    from portal.scheduling import calendars, emails  # noqa: F401  (their duties register on import)

    duty("emails")(send_due_emails)


_register_core_duties()
