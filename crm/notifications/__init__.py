"""Notifications: an outbox written with each change, delivered in-app, by email and webhook."""
from flask import Blueprint

bp = Blueprint("notifications", __name__)
