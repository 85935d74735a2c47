"""The working-day calendar (工作日): statutory holidays and make-up working days (调休)."""
from flask import Blueprint

bp = Blueprint("calendar", __name__)
