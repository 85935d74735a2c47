"""Admin pages for integration API tokens (ordinary session pages, CSRF-protected)."""
from flask import Blueprint

bp = Blueprint("api_admin", __name__)
