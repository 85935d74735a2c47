"""Friendly error pages in the user's language; never a stack trace."""
from __future__ import annotations

from flask import Flask, jsonify, render_template, request
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from crm.db import db


def _wants_json() -> bool:
    return request.path.startswith("/api/")


def _json_error(status: int, code: str, message: str):
    return jsonify({"error": {"code": code, "message": message, "fields": {}}}), status


def init_app(app: Flask) -> None:
    @app.errorhandler(CSRFError)
    def csrf_error(e):
        return render_template("errors/csrf.html"), 400

    @app.errorhandler(HTTPException)
    def http_error(e: HTTPException):
        if _wants_json():
            return _json_error(e.code or 500, (e.name or "error").lower().replace(" ", "_"),
                               e.description or "")
        template = {403: "errors/403.html", 404: "errors/404.html", 413: "errors/413.html",
                    429: "errors/429.html"}.get(e.code or 0, "errors/generic.html")
        return render_template(template, error=e), e.code

    @app.errorhandler(Exception)
    def unexpected(e: Exception):
        if isinstance(e, HTTPException):
            return http_error(e)
        app.logger.exception("Unhandled error on %s %s", request.method, request.path)
        db.session.rollback()
        if _wants_json():
            return _json_error(500, "internal_error", _("系统内部错误，请稍后再试。"))
        return render_template("errors/500.html"), 500
