"""Language selection: Simplified Chinese unless the user (or visitor) chose English."""
from __future__ import annotations

from flask import Flask, has_request_context, request, session
from flask_babel import format_date, format_decimal
from flask_login import current_user

#: The UI language code a user picks -> the Babel locale whose catalog and formats we use.
LOCALES = {"zh": "zh_Hans_CN", "en": "en"}


def current_language() -> str:
    if getattr(current_user, "is_authenticated", False):
        return current_user.language if current_user.language in LOCALES else "zh"
    lang = session.get("lang")
    if lang in LOCALES:
        return lang
    return "zh"


def select_locale() -> str:
    if not has_request_context():  # command line and scheduled jobs speak Chinese
        return LOCALES["zh"]
    # The API answers in the language asked for by Accept-Language (default Chinese).
    if request.path.startswith("/api/"):
        best = request.accept_languages.best_match(["zh", "en"], default="zh")
        return LOCALES[best or "zh"]
    return LOCALES[current_language()]


def short_date(value) -> str:
    """Dates in tables: 11-24 (the same in both languages)."""
    return value.strftime("%m-%d") if value else ""


def iso_date(value) -> str:
    return value.isoformat() if value else ""


def long_date(value) -> str:
    """2026年11月24日 in Chinese, Nov 24, 2026 in English."""
    return format_date(value, "long") if value else ""


def number(value) -> str:
    return format_decimal(value) if value is not None else ""


def init_app(app: Flask) -> None:
    app.jinja_env.filters.update(
        short_date=short_date, iso_date=iso_date, long_date=long_date, number=number
    )

    @app.context_processor
    def language_context():
        return {"ui_language": current_language()}
