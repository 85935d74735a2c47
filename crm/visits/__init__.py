"""Visits (走访记录) and the quarterly coverage engine."""
from flask import Blueprint

bp = Blueprint("visits", __name__)
