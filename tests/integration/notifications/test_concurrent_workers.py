"""Several workers drain the outbox at once (on SQLite and on PostgreSQL) and no email goes out twice.

The first test shows that the check can catch a double send: with a claim that is not exclusive (read the due
rows, then mark them by id) two workers both send. The second runs the real claim under the same interleaving.
"""
from __future__ import annotations

import threading
from collections import Counter

import pytest
from sqlalchemy import select, update

from portal.core import clock
from portal.extensions import db
from portal.jobs import run_due
from portal.notifications import sending
from portal.notifications.models import EmailStatus, OutboxEmail
from portal.notifications.outbox import queue_email

EMAILS = 30


def queue_many(app, now) -> list[str]:
    addresses = [f"runner{i}@example.com" for i in range(EMAILS)]
    with app.app_context():
        for address in addresses:
            queue_email(dedupe_key=f"race:{address}", to_addr=address, subject="Race day", template="password_reset",
                        context={"user": {"first_name": "R"}, "link": "http://127.0.0.1:5000/x", "minutes": 60},
                        now=now)
        db.session.commit()
    return addresses


def run_workers(app, now, count: int = 2) -> list[BaseException]:
    errors: list[BaseException] = []
    start = threading.Barrier(count)

    def worker() -> None:
        try:
            with app.app_context():
                start.wait(5)
                run_due(now)
                db.session.remove()
        except BaseException as exc:  # noqa: BLE001 - reported to the test
            errors.append(exc)

    threads = [threading.Thread(target=worker) for _ in range(count)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    return errors


def both_read_before_either_writes(monkeypatch) -> None:
    """Hold each worker between reading the due rows and claiming them until the other has read too."""
    rendezvous = threading.Barrier(2)
    seen: set[int] = set()
    real_update = sending.update

    def update_after_rendezvous(*args, **kwargs):
        me = threading.get_ident()
        if me not in seen:
            seen.add(me)
            try:
                rendezvous.wait(0.5)  # on PostgreSQL the other worker may find every row locked and never come
            except threading.BrokenBarrierError:
                pass
        return real_update(*args, **kwargs)

    monkeypatch.setattr(sending, "update", update_after_rendezvous)


def delivered(sink) -> Counter:
    return Counter(str(m["To"]) for m in sink.messages)


def test_the_check_catches_a_double_send_when_claims_are_not_exclusive(app, smtp_sink, monkeypatch):
    now = clock.now()
    addresses = queue_many(app, now)
    claimed = threading.Barrier(2)
    sending_first = threading.Barrier(2)

    def naive_claim(now, limit=sending.BATCH):
        ids = list(db.session.scalars(select(OutboxEmail.id).where(sending._due(now)).order_by(OutboxEmail.id)
                                      .limit(limit)))
        db.session.commit()
        claimed.wait(5)
        for email_id in ids:
            db.session.execute(update(OutboxEmail).where(OutboxEmail.id == email_id)
                               .values(status=EmailStatus.SENDING, claimed_until=now + sending.CLAIM_FOR))
        db.session.commit()
        return ids

    real_transport_for = sending.transport_for

    class BothSendTheFirstAtOnce:
        """Each worker's first send waits for the other's, so neither has marked that email sent yet."""

        def __init__(self, config):
            self.inner, self.first = real_transport_for(config), True

        def send(self, msg):
            if self.first:
                self.first = False
                sending_first.wait(5)
            self.inner.send(msg)

    monkeypatch.setattr(sending, "claim_due", naive_claim)
    monkeypatch.setattr(sending, "transport_for", BothSendTheFirstAtOnce)
    assert run_workers(app, now) == []
    counts = delivered(smtp_sink)
    assert set(counts) == set(addresses)
    assert counts[addresses[0]] == 2, "the naive claim should have sent the first email twice"


@pytest.mark.parametrize("workers", [2, 4])
def test_concurrent_workers_send_each_email_exactly_once(app, smtp_sink, monkeypatch, workers):
    now = clock.now()
    addresses = queue_many(app, now)
    if workers == 2:
        both_read_before_either_writes(monkeypatch)
    assert run_workers(app, now, workers) == []
    # A worker that lost the race may have sent nothing this pass; one more pass sends whatever is left.
    with app.app_context():
        run_due(now)
    counts = delivered(smtp_sink)
    assert sorted(counts) == sorted(addresses)
    assert set(counts.values()) == {1}, [a for a, n in counts.items() if n > 1]
    with app.app_context():
        statuses = set(db.session.scalars(select(OutboxEmail.status)))
    assert statuses == {EmailStatus.SENT}
