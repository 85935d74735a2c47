"""Friendly error pages in the user's language; never a stack trace."""
from __future__ import annotations

from flask import Flask, render_template, request
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from crm.api import errors as api_errors
from crm.db import db


def init_app(app: Flask) -> None:
    @app.errorhandler(CSRFError)
    def csrf_error(e):
        return render_template("errors/csrf.html"), 400

    @app.errorhandler(HTTPException)
    def http_error(e: HTTPException):
        if api_errors.is_api_request():
            return api_errors.http_error_response(e)
        template = {403: "errors/403.html", 404: "errors/404.html", 413: "errors/413.html",
                    429: "errors/429.html"}.get(e.code or 0, "errors/generic.html")
        return render_template(template, error=e), e.code

    @app.errorhandler(Exception)
    def unexpected(e: Exception):
        if isinstance(e, HTTPException):
            return http_error(e)
        app.logger.exception("Unhandled error on %s %s", request.method, request.path)
        db.session.rollback()
        if api_errors.is_api_request():
            return api_errors.internal_error_response()
        return render_template("errors/500.html"), 500
