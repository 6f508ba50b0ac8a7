"""Scheduling: availability, busy times and bookings for coaching calls."""
