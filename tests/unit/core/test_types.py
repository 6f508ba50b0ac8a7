"""UTCDateTime: aware UTC in, aware UTC out, on every database; a naive datetime is a bug and is refused."""
from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy.dialects import postgresql, sqlite

from portal.core.types import UTCDateTime

COLUMN = UTCDateTime()


def test_a_naive_datetime_is_refused():
    with pytest.raises(ValueError, match="naive"):
        COLUMN.process_bind_param(dt.datetime(2026, 1, 1, 12, 0), sqlite.dialect())


def test_an_aware_datetime_is_stored_as_utc():
    new_york = dt.datetime(2026, 1, 1, 7, 0, tzinfo=ZoneInfo("America/New_York"))
    stored = COLUMN.process_bind_param(new_york, postgresql.dialect())
    assert stored == dt.datetime(2026, 1, 1, 12, 0, tzinfo=dt.UTC) and stored.utcoffset() == dt.timedelta(0)


def test_sqlite_stores_the_utc_wall_time_and_reads_it_back_as_aware_utc():
    new_york = dt.datetime(2026, 1, 1, 7, 0, tzinfo=ZoneInfo("America/New_York"))
    stored = COLUMN.process_bind_param(new_york, sqlite.dialect())
    assert stored == dt.datetime(2026, 1, 1, 12, 0)
    back = COLUMN.process_result_value(stored, sqlite.dialect())
    assert back == new_york and back.tzinfo == dt.UTC


def test_an_aware_value_from_postgres_comes_back_in_utc():
    from_db = dt.datetime(2026, 1, 1, 13, 0, tzinfo=dt.timezone(dt.timedelta(hours=1)))
    back = COLUMN.process_result_value(from_db, postgresql.dialect())
    assert back == from_db and back.tzinfo == dt.UTC


def test_none_stays_none():
    assert COLUMN.process_bind_param(None, sqlite.dialect()) is None
    assert COLUMN.process_result_value(None, sqlite.dialect()) is None
