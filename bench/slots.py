"""Slot engine and slots endpoint benchmark (run by `make bench`; prints figures, asserts nothing).

Workload: 3 coaches in US zones, 90 days of weekly hours, 2,000 existing bookings, 200 busy times."""
from __future__ import annotations

import datetime as dt
import os
import random
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from portal.scheduling import slots  # noqa: E402

ZONES = ["America/New_York", "America/Chicago", "America/Los_Angeles"]
WEEKLY = {d: (("08:00", "12:00"), ("13:00", "18:00")) for d in range(5)}
START = dt.datetime(2027, 1, 4, tzinfo=dt.UTC)  # a Monday
NOW = START - dt.timedelta(hours=1)
SETTINGS = slots.Settings(duration=dt.timedelta(minutes=30), interval=dt.timedelta(minutes=30),
                          buffer_after=dt.timedelta(minutes=10), window=dt.timedelta(days=400), event_type_id=1)


def hours(zone: str) -> slots.Hours:
    t = dt.time.fromisoformat
    return slots.Hours(timezone=zone, weekly={d: tuple((t(a), t(b)) for a, b in iv) for d, iv in WEEKLY.items()})


def workload(bookings: int, busy: int, days: int, seed: int = 7) -> list[slots.CoachCalendar]:
    """Calendars whose bookings sit on free grid slots; spread over more days when there are too many."""
    rng = random.Random(seed)
    calendars = []
    span_days = max(days, int(bookings / len(ZONES) / 18 * 7 / 5 * 1.3) + 1)
    for i, zone in enumerate(ZONES):
        h = hours(zone)
        grid = [s for w in slots.availability_windows(h, START, START + dt.timedelta(days=span_days))
                for s in _grid(w)]
        chosen = rng.sample(grid, min(len(grid), bookings // len(ZONES) + (i < bookings % len(ZONES))))
        booked = tuple(slots.Booked(start=s, end=s + dt.timedelta(minutes=30), event_type_id=1) for s in chosen)
        busy_rows = []
        for _ in range(busy // len(ZONES)):
            at = START + dt.timedelta(minutes=rng.randrange(0, days * 24 * 60, 15))
            busy_rows.append(slots.Interval(at, at + dt.timedelta(minutes=rng.choice([30, 60, 90]))))
        calendars.append(slots.CoachCalendar(key=f"coach-{i}", hours=h, booked=booked, busy=tuple(busy_rows)))
    return calendars


def _grid(window: slots.Interval):
    at = window.start
    while at + dt.timedelta(minutes=30) <= window.end:
        yield at
        at += dt.timedelta(minutes=30)


def best_of(fn, repeat: int = 7) -> float:
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times)


def engine_figures() -> None:
    print("== Slot engine (pure, in memory; best of 7) ==")
    base = workload(2000, 200, 90)
    t = best_of(lambda: slots.compute_slots(base, SETTINGS, START, START + dt.timedelta(days=31), NOW))
    n = len(slots.compute_slots(base, SETTINGS, START, START + dt.timedelta(days=31), NOW))
    print(f"31-day view, 3 coaches, 2,000 bookings, 200 busy: {t * 1000:.2f} ms ({n} slots)")
    print("growth with days (2,000 bookings):")
    for days in (7, 31, 90):
        t = best_of(lambda: slots.compute_slots(base, SETTINGS, START, START + dt.timedelta(days=days), NOW))
        print(f"  {days:>3} days: {t * 1000:7.2f} ms  ({t * 1000 / days:.3f} ms/day)")
    print("growth with bookings (31-day view; then is_free, the booking re-check, for one start):")
    for count in (200, 2000, 20000):
        cals = workload(count, 200, 90)
        t = best_of(lambda: slots.compute_slots(cals, SETTINGS, START, START + dt.timedelta(days=31), NOW))
        probe = START + dt.timedelta(days=15, hours=15)
        f = best_of(lambda: slots.is_free(cals[0], SETTINGS, probe, NOW))
        print(f"  {count:>6} bookings: {t * 1000:7.2f} ms   is_free {f * 1000:.3f} ms")


def _env(db_url: str, base: str, cache: bool = True) -> dict:
    return {**os.environ, "DATABASE_URL": db_url, "SECRET_KEY": "bench", "RATELIMIT_ENABLED": "false",
            "PUBLIC_BASE_URL": base, "PORTAL_SLOT_CACHE": "true" if cache else "false"}


def build_database(db_url: str) -> tuple[str, str]:
    """Migrate, then fill the database with the same workload through the models."""
    os.environ.update(_env(db_url, "http://127.0.0.1"))
    from portal import create_app
    from portal.accounts.services import create_coach
    from portal.extensions import db
    from portal.scheduling import hours as hours_service
    from portal.scheduling.models import Booking, BusyTime, CalendarSource, EventType

    app = create_app({"SQLALCHEMY_DATABASE_URI": db_url})
    with app.app_context():
        from flask_migrate import upgrade

        upgrade()
        now = dt.datetime.now(dt.UTC)
        hours_service.update_event_type("strategy-call", {"minimum_notice_minutes": 0, "booking_window_days": 365})
        event = db.session.scalar(db.select(EventType).where(EventType.slug == "strategy-call"))
        rng = random.Random(3)
        start = dt.datetime.combine(now.date() + dt.timedelta(days=1), dt.time(0), dt.UTC)
        coaches = []
        names = ["day", "night", "dawn"]
        for i, zone in enumerate(ZONES):
            user = create_coach(email=f"bench{i}@stridelab.example", name=f"Bench {names[i]}", zone_name=zone,
                                password=None, now=now)
            hours_service.set_availability(user.coach, zone_name=zone, weekly={
                day: [list(iv) for iv in WEEKLY.get(n, ())] for n, day in enumerate(
                    ["mon", "tue", "wed", "thu", "fri", "sat", "sun"])}, overrides=[])
            coaches.append(user.coach)
        for cal, coach in zip(workload(2000, 200, 90), coaches, strict=True):
            source = CalendarSource(coach_id=coach.id, kind="upload", name="bench", created_at=now)
            db.session.add(source)
            db.session.flush()
            shift = start - START
            for b in cal.booked:
                s = b.start + shift
                db.session.add(Booking(event_type_id=event.id, coach_id=coach.id, start_at=s, end_at=s + dt.timedelta(
                    minutes=30), blocked_start_at=s, blocked_end_at=s + dt.timedelta(minutes=30), status="confirmed",
                    invitee_name="Bench", invitee_email="b@example.com", invitee_timezone="UTC", answers={},
                    manage_nonce=f"{coach.id}-{rng.random()}", sequence=0, created_at=now, updated_at=now))
            for iv in cal.busy:
                db.session.add(BusyTime(coach_id=coach.id, source_id=source.id, start_at=iv.start + shift,
                                        end_at=iv.end + shift))
        db.session.commit()
        day = (now.date() + dt.timedelta(days=1)).isoformat()
        return day, coaches[0].slug


def query_figures(db_url: str, day: str, coach: str) -> None:
    from sqlalchemy import event

    from portal import create_app
    from portal.extensions import db

    print("\n== SQL queries per slots request ==")
    app = create_app({"SQLALCHEMY_DATABASE_URI": db_url})
    client = app.test_client()
    with app.app_context():
        counter = {"n": 0}

        def count(*args, **kwargs):
            counter["n"] += 1

        event.listen(db.engine, "before_cursor_execute", count)
        first = dt.date.fromisoformat(day)
        for days in (7, 31, 62):
            for who in (None, coach):
                q = {"start": day, "end": (first + dt.timedelta(days=days - 1)).isoformat(), "timezone": "UTC"}
                if who:
                    q["coach"] = who
                counts = []
                for _ in range(2):  # a cache miss, then a hit
                    counter["n"] = 0
                    r = client.get("/api/v1/event-types/strategy-call/slots", query_string=q)
                    assert r.status_code == 200, r.get_json()
                    counts.append(counter["n"])
                print(f"  {days:>2} days, {'one coach ' if who else 'all coaches'}: {counts[0]} queries computed, "
                      f"{counts[1]} served from cache ({len(r.get_json()['slots'])} slots)")
        event.remove(db.engine, "before_cursor_execute", count)


def _load(url: str, seconds: float, connections: int) -> float:
    """Requests per second: wrk when installed, else Python threads with keep-alive."""
    if shutil.which("wrk"):
        out = subprocess.run(["wrk", "-t2", f"-c{connections}", f"-d{int(seconds)}s", url], capture_output=True,
                             text=True).stdout
        for line in out.splitlines():
            if line.startswith("Requests/sec:"):
                return float(line.split()[1])
    import http.client
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    stop = time.perf_counter() + seconds
    counts = []

    def worker():
        conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
        n = 0
        while time.perf_counter() < stop:
            conn.request("GET", parts.path + "?" + parts.query)
            conn.getresponse().read()
            n += 1
        counts.append(n)

    threads = [threading.Thread(target=worker) for _ in range(connections)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return sum(counts) / seconds


def http_figures(db_url: str, day: str, cache: bool) -> None:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    base = f"http://127.0.0.1:{port}"
    workers = os.cpu_count() or 2
    proc = subprocess.Popen([str(Path(sys.executable).parent / "gunicorn"), "-w", str(workers), "-b",
                             f"127.0.0.1:{port}", "--log-level", "warning", "wsgi:app"], cwd=ROOT,
                            env=_env(db_url, base, cache))
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(base + "/healthz", timeout=1)
                break
            except OSError:
                time.sleep(0.1)
        end = (dt.date.fromisoformat(day) + dt.timedelta(days=30)).isoformat()
        slots_url = f"{base}/api/v1/event-types/strategy-call/slots?start={day}&end={end}&timezone=Europe/London"
        urllib.request.urlopen(slots_url).read()
        tool = "wrk" if shutil.which("wrk") else "python threads"
        print(f"\n== Throughput, slot cache {'on' if cache else 'off'}: one gunicorn server ({workers} sync workers, "
              f"4 connections, {tool}, 10 s each) ==")
        health = _load(base + "/healthz", 10, 4)
        slots_rps = _load(slots_url, 10, 4)
        print(f"  GET /healthz:               {health:8.1f} req/s")
        print(f"  GET slots, 31 days, 3 coaches: {slots_rps:8.1f} req/s  ({slots_rps / health * 100:.0f}% of /healthz)")
    finally:
        proc.terminate()
        proc.wait(10)


def main() -> None:
    engine_figures()
    tmp = tempfile.mkdtemp(prefix="portal-bench-")
    db_url = os.environ.get("BENCH_DATABASE_URL") or f"sqlite:///{tmp}/bench.db"
    try:
        day, coach = build_database(db_url)
        query_figures(db_url, day, coach)
        http_figures(db_url, day, cache=True)
        http_figures(db_url, day, cache=False)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
