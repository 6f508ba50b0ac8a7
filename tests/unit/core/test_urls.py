"""is_safe_next: a `next` target is followed only when a browser would stay on this site."""
from __future__ import annotations

import re

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from portal.core.urls import is_safe_next

SCHEME = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.\-]*:")


def browser_leaves_the_site(target: str) -> bool:
    """How a browser reads a Location header (WHATWG URL): trims C0 controls and spaces, drops tabs and
    newlines anywhere, treats a backslash as a slash; then "//host" or "scheme:" goes elsewhere."""
    cleaned = target.strip("".join(chr(c) for c in range(0x21)))
    cleaned = re.sub(r"[\t\n\r]", "", cleaned).replace("\\", "/")
    return cleaned.startswith("//") or bool(SCHEME.match(cleaned))


@pytest.mark.parametrize("target", ["/", "/account", "/account/password?from=mail", "/book/strategy-call#times",
                                    "/learn/week-2?x=http://elsewhere"])
def test_paths_on_this_site_are_safe(target):
    assert is_safe_next(target)


@pytest.mark.parametrize("target", [
    None, "", "//evil.example", "///evil.example", "https://evil.example", "http:evil.example", "/\\evil.example",
    "\\\\evil.example", "/\\/evil.example", "javascript:alert(1)", "JaVaScRiPt:alert(1)", "data:text/html,hi",
    " //evil.example", "/\t/evil.example", "/\n/evil.example", "account", "evil.example/", "/" + "a" * 600,
])
def test_targets_that_leave_the_site_or_look_odd_are_not_safe(target):
    assert not is_safe_next(target)


ALPHABET = st.sampled_from(list("/\\:.?#@%ab1 \t\n\r") + ["javascript:", "//", "http", "\x00", "\x7f", "\u3000"])


@given(st.lists(ALPHABET, max_size=12).map("".join) | st.text(max_size=30))
@example("/\t/evil.example")
@example("/%2F%2Fevil.example")
def test_a_target_judged_safe_never_takes_a_browser_off_the_site(target):
    if is_safe_next(target):
        assert not browser_leaves_the_site(target)
        assert target.startswith("/")
