"""The one clock. Read it once per operation and pass `now` down, so tests can move time."""
from __future__ import annotations

import datetime as dt


def now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)
