"""JSON API v1: one blueprint, pydantic models that both validate requests and describe them in OpenAPI."""
from flask import Blueprint

api_bp = Blueprint("api", __name__, url_prefix="/api/v1")

from portal.api import docs, scheduling  # noqa: E402,F401  (routes register on import)
