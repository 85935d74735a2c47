"""Integration API v1 (/api/v1): JSON over HTTP with token authentication and an OpenAPI document."""
from flask import Blueprint

from crm.extensions import csrf

bp = Blueprint("api", __name__)
# CSRF protects cookie-authenticated forms; the API never accepts cookies (see crm.api.auth).
csrf.exempt(bp)
