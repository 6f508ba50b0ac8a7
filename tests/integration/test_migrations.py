"""`flask db upgrade` builds the schema from nothing, on SQLite and PostgreSQL, and it matches the models."""
from __future__ import annotations

import uuid
import warnings

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine, inspect, make_url, select, text

from portal.extensions import db
from portal.scheduling.models import STRATEGY_CALL, EventType
from tests.conftest import IN_CI, PG_URL, make_app


@pytest.fixture
def empty_sqlite(tmp_path):
    return f"sqlite:///{tmp_path / 'empty.db'}"


@pytest.fixture
def empty_postgres():
    """A database of its own, created empty and dropped afterwards."""
    if not PG_URL:
        if IN_CI:
            pytest.fail("CI needs TEST_DATABASE_URL (PostgreSQL)")
        pytest.skip("TEST_DATABASE_URL is not set")
    name = f"portal_migrations_test_{uuid.uuid4().hex[:8]}"
    admin = create_engine(make_url(PG_URL).set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(PG_URL).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def empty_database(request):
    return request.getfixturevalue(f"empty_{'postgres' if request.param == 'postgresql' else 'sqlite'}")


def upgrade_with_the_cli(app) -> None:
    result = app.test_cli_runner().invoke(args=["db", "upgrade"])
    assert result.exit_code == 0, result.output + repr(result.exception)


def schema_differences(app) -> list:
    with app.app_context(), db.engine.connect() as conn, warnings.catch_warnings():
        # SQLite cannot reflect expression indexes (users' lower(email)); test_emails_are_unique_... checks it.
        warnings.filterwarnings("ignore", message=".*expression-based index.*")
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        return compare_metadata(context, db.metadata)


def test_db_upgrade_builds_every_table_on_an_empty_database(empty_database, tmp_path):
    app = make_app(empty_database, tmp_path, None)
    upgrade_with_the_cli(app)
    with app.app_context():
        tables = set(inspect(db.engine).get_table_names())
        assert set(db.metadata.tables) <= tables
        assert "alembic_version" in tables
        call = db.session.scalar(select(EventType).where(EventType.slug == STRATEGY_CALL))
        assert (call.duration_minutes, call.auto_join, call.active) == (30, True, True)
        db.session.remove()
        db.engine.dispose()


def test_the_models_match_the_migrations(empty_database, tmp_path):
    app = make_app(empty_database, tmp_path, None)
    upgrade_with_the_cli(app)
    differences = schema_differences(app)
    with app.app_context():
        db.engine.dispose()
    assert differences == [], "models and migrations disagree; write a migration:\n" + "\n".join(
        map(str, differences))


def test_the_models_match_the_migrations_catches_a_missing_column(empty_sqlite, tmp_path):
    """The comparison is able to fail: drop a column behind the migrations' back and it notices."""
    app = make_app(empty_sqlite, tmp_path, None)
    upgrade_with_the_cli(app)
    with app.app_context(), db.engine.begin() as conn:
        conn.execute(text("ALTER TABLE users DROP COLUMN password_changed_at"))
    differences = schema_differences(app)
    assert any(d[0] == "add_column" and d[3].name == "password_changed_at" for d in differences)


def test_emails_are_unique_whatever_their_case_on_every_database(empty_database, tmp_path):
    import datetime as dt

    from sqlalchemy.exc import IntegrityError

    from portal.accounts.models import User

    app = make_app(empty_database, tmp_path, None)
    upgrade_with_the_cli(app)
    now = dt.datetime.now(dt.UTC)
    with app.app_context():
        db.session.add(User(email="Case@Example.com", name="A", role="member", timezone="UTC", active=True,
                            created_at=now))
        db.session.commit()
        db.session.add(User(email="case@example.COM", name="B", role="member", timezone="UTC", active=True,
                            created_at=now))
        with pytest.raises(IntegrityError):
            db.session.commit()
        db.session.rollback()
        db.session.remove()
        db.engine.dispose()


def test_postgres_refuses_overlapping_bookings_in_the_schema(empty_postgres, tmp_path):
    app = make_app(empty_postgres, tmp_path, None)
    upgrade_with_the_cli(app)
    with app.app_context():
        names = db.session.scalars(text("SELECT conname FROM pg_constraint WHERE contype = 'x'")).all()
        db.session.remove()
        db.engine.dispose()
    assert "ex_bookings_no_overlap" in names


def test_downgrade_to_nothing_and_upgrade_again(empty_sqlite, tmp_path):
    app = make_app(empty_sqlite, tmp_path, None)
    upgrade_with_the_cli(app)
    result = app.test_cli_runner().invoke(args=["db", "downgrade", "base"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        assert set(inspect(db.engine).get_table_names()) <= {"alembic_version"}
    upgrade_with_the_cli(app)
    assert schema_differences(app) == []
