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
def test_changing_a_character_breaks_the_token_or_only_respells_it(position, replacement):
    """Base64 leaves spare bits in the last character of each part, so a few changes are the same token
    spelled otherwise; those must be remembered as the same token once it is spent."""
    token = tokens.sign(KEY, "reset", {"uid": 7})
    i = position % len(token)
    altered = token[:i] + replacement + token[i + 1:]
    try:
        payload = tokens.verify(KEY, "reset", altered, max_age=None)
    except TokenInvalid:
        return
    assert payload == {"uid": 7}
    assert tokens.spent_key(altered) == tokens.spent_key(token)


def respelled(token: str) -> str:
    """The same token with the spare bits of its last character flipped."""
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
    return token[:-1] + alphabet[alphabet.index(token[-1]) ^ 1]


def test_a_respelled_token_verifies_but_is_spent_under_the_same_key():
    token = tokens.sign(KEY, "reset", {"uid": 7})
    other = respelled(token)
    assert other != token
    assert tokens.verify(KEY, "reset", other, max_age=None) == {"uid": 7}
    assert tokens.spent_key(other) == tokens.spent_key(token)
    assert tokens.spent_key(token) != tokens.spent_key(tokens.sign(KEY, "reset", {"uid": 8}))


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
