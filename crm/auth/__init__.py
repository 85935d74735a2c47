"""Login, logout, password and personal settings."""
from flask import Blueprint

bp = Blueprint("auth", __name__)
