"""factory_boy factories; each saves through the app's session and commits."""
from __future__ import annotations

import datetime as dt

import factory
from factory.alchemy import SQLAlchemyModelFactory

from portal.accounts.models import CoachProfile, User
from portal.core.access import Role
from portal.extensions import db

PASSWORD = "correct-horse-battery"


class Base(SQLAlchemyModelFactory):
    class Meta:
        abstract = True
        sqlalchemy_session_factory = lambda: db.session  # noqa: E731
        sqlalchemy_session_persistence = "commit"


class UserFactory(Base):
    class Meta:
        model = User

    email = factory.Sequence(lambda n: f"runner{n}@example.com")
    name = factory.Faker("name")
    role = Role.MEMBER
    timezone = "America/New_York"
    active = True
    created_at = factory.LazyFunction(lambda: dt.datetime.now(dt.UTC))
    password_hash = None

    @factory.post_generation
    def password(obj, create, extracted, **kwargs):  # noqa: N805
        obj.set_password(extracted or PASSWORD)
        if create:
            db.session.commit()

    class Params:
        coach = factory.Trait(role=Role.COACH, email=factory.Sequence(lambda n: f"coach{n}@stridelab.example"))
        admin = factory.Trait(role=Role.ADMIN, email=factory.Sequence(lambda n: f"admin{n}@stridelab.example"))
        inactive = factory.Trait(active=False)


def make_coach(name: str = "Casey Coach", zone: str = "America/New_York", *, admin: bool = False,
               email: str | None = None, password: str = PASSWORD) -> User:
    """A coach through the real service, so they join the strategy call like any new coach."""
    from portal.accounts.services import create_coach

    email = email or f"{name.split()[0].lower()}@stridelab.example"
    return create_coach(email=email, name=name, zone_name=zone, password=password,
                        now=dt.datetime.now(dt.UTC), role=Role.ADMIN if admin else Role.COACH)


__all__ = ["UserFactory", "make_coach", "PASSWORD", "CoachProfile"]
