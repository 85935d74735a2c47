"""Template globals: the navigation for the current user and links that keep the filters."""
from __future__ import annotations

from flask import Flask, request, url_for
from flask_login import current_user

from crm.main.homes import nav_for


def url_with(endpoint: str, **overrides) -> str:
    """A link to `endpoint` keeping the current query string, with some values replaced."""
    args = request.args.to_dict(flat=False)
    args.update({k: v for k, v in overrides.items()})
    view_args = dict(request.view_args or {}) if endpoint == request.endpoint else {}
    view_args.update(args)
    return url_for(endpoint, **view_args)


def init_app(app: Flask) -> None:
    app.jinja_env.globals["url_with"] = url_with

    @app.context_processor
    def navigation():
        if getattr(current_user, "is_authenticated", False):
            return {"nav_items": nav_for(current_user)}
        return {"nav_items": []}
