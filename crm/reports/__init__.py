"""Reports and dashboards (报表): coverage, requests, trends, computed from what was logged (rule 9)."""
from flask import Blueprint

bp = Blueprint("reports", __name__)
