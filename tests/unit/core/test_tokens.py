"""Signed, expiring tokens for emailed links, and the hashes kept for those that grant access."""
from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from hypothesis import given
from hypothesis import strategies as st

from portal.core import tokens
from portal.core.errors import TokenInvalid

KEY = "unit-test-key"


def test_a_signed_token_gives_back_its_payload():
    token = tokens.sign(KEY, "reset", {"uid": 7, "pw": "abc"})
    assert tokens.verify(KEY, "reset", token, max_age=3600) == {"uid": 7, "pw": "abc"}


def test_a_token_is_refused_after_its_max_age():
    start = dt.datetime(2026, 3, 1, 12, 0, tzinfo=dt.UTC)
    with time_machine.travel(start, tick=False):
        token = tokens.sign(KEY, "reset", {"uid": 7})
    with time_machine.travel(start + dt.timedelta(seconds=3599), tick=False):
        assert tokens.verify(KEY, "reset", token, max_age=3600) == {"uid": 7}
    with time_machine.travel(start + dt.timedelta(seconds=3601), tick=False), \
            pytest.raises(TokenInvalid, match="expired"):
        tokens.verify(KEY, "reset", token, max_age=3600)


def test_a_token_for_one_purpose_does_not_work_for_another():
    token = tokens.sign(KEY, "invite", {"uid": 7})
    with pytest.raises(TokenInvalid, match="not valid"):
        tokens.verify(KEY, "reset", token, max_age=None)


def test_a_token_signed_with_another_key_is_refused():
    with pytest.raises(TokenInvalid):
        tokens.verify(KEY, "reset", tokens.sign("other-key", "reset", {"uid": 7}), max_age=None)


@given(st.integers(min_value=0, max_value=200), st.characters(codec="ascii", categories=["L", "N"]))
def test_changing_any_one_character_of_a_token_breaks_it(position, replacement):
    token = tokens.sign(KEY, "reset", {"uid": 7})
    i = position % len(token)
    altered = token[:i] + replacement + token[i + 1:]
    if altered != token:
        with pytest.raises(TokenInvalid):
            tokens.verify(KEY, "reset", altered, max_age=None)


@pytest.mark.parametrize("junk", ["", "x", "a.b.c", None, 12, "x" * 5000])
def test_junk_is_refused_as_an_invalid_link(junk):
    with pytest.raises(TokenInvalid):
        tokens.verify(KEY, "reset", junk, max_age=None)


def test_random_tokens_are_long_url_safe_and_different():
    made = {tokens.random_token() for _ in range(100)}
    assert len(made) == 100
    assert all(len(t) >= 43 and t.replace("-", "").replace("_", "").isalnum() for t in made)


def test_a_token_hash_is_a_stable_sha256_hex_digest():
    assert tokens.hash_token("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
    assert tokens.hash_token("abc") != tokens.hash_token("abd")
