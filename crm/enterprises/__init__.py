"""The key-enterprise list (重点企业清单) and liaison assignments (包保关系)."""
from flask import Blueprint

bp = Blueprint("enterprises", __name__)
