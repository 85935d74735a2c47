"""Administration: towns/parks, departments, users, and the organisation import."""
from flask import Blueprint

bp = Blueprint("org", __name__)
