"""Booking pages for prospects."""
from __future__ import annotations

from flask import Blueprint

bp = Blueprint("scheduling", __name__)
