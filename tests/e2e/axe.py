"""Accessibility checks for the browser tests: axe-core on the page as it stands, failing on serious or
critical violations (the rule ids and the elements are in the failure message)."""
from __future__ import annotations

import functools

BLOCKING = ("serious", "critical")


@functools.cache
def _axe():
    from axe_playwright_python.sync_playwright import Axe

    return Axe()


def _target(node: dict) -> str:
    parts = []
    for item in node.get("target", []):
        parts.append(" >> ".join(item) if isinstance(item, list) else str(item))
    return " | ".join(parts)


def violations(page, impacts: tuple[str, ...] = BLOCKING) -> list[dict]:
    """axe-core's violations on `page` whose impact is one of `impacts`."""
    results = _axe().run(page)
    return [v for v in results.response["violations"] if v.get("impact") in impacts]


def describe(found: list[dict]) -> str:
    lines = []
    for v in found:
        targets = [_target(n) for n in v.get("nodes", [])]
        lines.append(f"- {v['id']} ({v['impact']}): {v['help']}\n    " + "\n    ".join(targets))
    return "\n".join(lines)


def assert_accessible(page, label: str | None = None) -> None:
    """Fail with each serious or critical axe-core violation on the current page."""
    found = violations(page)
    if found:
        where = label or page.url
        raise AssertionError(f"{len(found)} serious or critical accessibility problems on {where}:\n"
                             + describe(found))
