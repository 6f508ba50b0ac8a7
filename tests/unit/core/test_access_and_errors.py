"""Access declarations, domain errors and the clock: the small contracts every package leans on."""
from __future__ import annotations

import datetime as dt

import time_machine

from portal.core import clock
from portal.core.access import PUBLIC, Role, admin_only, public, signed_in, staff
from portal.core.errors import (
    Busy,
    Conflict,
    DomainError,
    Forbidden,
    InvalidInput,
    NotFound,
    SlotUnavailable,
    TokenInvalid,
)


def test_each_access_decorator_says_who_may_see_the_view():
    def view():
        return "ok"

    assert public(view).access == (PUBLIC,)
    assert signed_in(view).access == ("member", "coach", "admin")
    assert staff(view).access == ("coach", "admin")
    assert admin_only(view).access == ("admin",)
    assert staff(view).__name__ == "view"  # endpoints keep their names


def test_roles_are_plain_strings_as_stored_in_the_database():
    assert [str(r) for r in Role] == ["member", "coach", "admin"]
    assert Role.COACH == "coach"


def test_domain_errors_carry_a_status_a_code_and_a_safe_message():
    expected = {InvalidInput: (422, "invalid_input"), NotFound: (404, "not_found"), Forbidden: (403, "forbidden"),
                Conflict: (409, "conflict"), SlotUnavailable: (409, "slot_unavailable"), Busy: (409, "busy"),
                TokenInvalid: (400, "invalid_token")}
    for cls, (status, code) in expected.items():
        exc = cls("Shown to the user.", fields={"f": "why"})
        assert isinstance(exc, DomainError)
        assert (exc.status, exc.code, exc.message, exc.fields) == (status, code, "Shown to the user.", {"f": "why"})
    assert issubclass(SlotUnavailable, Conflict)
    assert InvalidInput("x").fields == {}


def test_the_clock_is_aware_utc_and_moves_with_time_machine():
    assert clock.now().tzinfo is dt.UTC
    moment = dt.datetime(2030, 5, 6, 7, 8, 9, tzinfo=dt.UTC)
    with time_machine.travel(moment, tick=False):
        assert clock.now() == moment
