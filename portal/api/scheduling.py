"""Scheduling endpoints: event types, slots, bookings, a coach's availability and bookings."""
from __future__ import annotations
