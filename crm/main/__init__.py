"""Home pages per role and the shell around every page."""
from flask import Blueprint

bp = Blueprint("main", __name__)
