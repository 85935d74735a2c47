"""Requests (诉求): the collect → supervise → feedback loop."""
from flask import Blueprint

bp = Blueprint("requests", __name__)
