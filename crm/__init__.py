"""The enterprise service-package CRM (企业服务包管理系统)."""
from __future__ import annotations

from flask import Flask

import importlib

from config import BASE_DIR, INSTANCE_DIR, Config


def create_app(config: type[Config] | None = None, **overrides) -> Flask:
    app = Flask(__name__, instance_path=str(INSTANCE_DIR))
    app.config.from_object((config or Config).load())
    app.config.update(overrides)

    from crm import (catalogs, cli, client_address, db_events, errors, i18n, production, query_args, security,
                     templating)
    from crm.auth import session as auth_session
    from crm.extensions import babel, bootstrap, csrf, db, limiter, login_manager, migrate

    import crm.models  # noqa: F401  (every table registered before Alembic looks)

    db.init_app(app)
    migrate.init_app(app, db, directory=str(BASE_DIR / "migrations"), render_as_batch=True)
    login_manager.init_app(app)
    csrf.init_app(app)
    production.check(app)
    catalogs.ensure_compiled(app)
    babel.init_app(app, locale_selector=i18n.select_locale, timezone_selector=lambda: "Asia/Shanghai")
    bootstrap.init_app(app)
    limiter.init_app(app)

    db_events.install(app)
    _register_blueprints(app)
    auth_session.init_app(app)
    i18n.init_app(app)
    templating.init_app(app)
    query_args.init_app(app)
    security.init_app(app)
    errors.init_app(app)
    cli.init_app(app)
    client_address.install_proxy_fix(app)
    return app


#: (package, url prefix, view modules): a package's __init__ holds only its blueprint.
BLUEPRINTS = [
    ("crm.main", "", ["views"]),
    ("crm.auth", "", ["views"]),
    ("crm.org", "/admin", ["views", "user_views"]),
    ("crm.enterprises", "/enterprises", ["views", "edit_views", "assignment_views", "import_views", "tag_views"]),
    ("crm.visits", "/visits", ["views", "form_views", "records", "liaison_views", "policy_views", "timeline"]),
    ("crm.requests", "/requests", ["lists", "detail", "actions", "urges", "categories_admin", "new_request"]),
    ("crm.requests.public", "", []),
    ("crm.calendar", "/admin/calendar", ["views"]),
    ("crm.notifications", "/notifications", ["views"]),
    ("crm.reports", "/reports", ["pages", "views", "request_views", "trend_views"]),
    ("crm.api", "/api/v1", ["ratelimit", "openapi", "docs", "enterprises", "listing", "assignments",
                             "users", "visits", "requests", "public_requests", "reference", "reports",
                             "coverage_pairs"]),
    ("crm.api.admin", "/admin/api-tokens", ["views"]),
]


def _register_blueprints(app: Flask) -> None:
    for package, prefix, modules in BLUEPRINTS:
        for module in modules:
            importlib.import_module(f"{package}.{module}")
        app.register_blueprint(importlib.import_module(package).bp, url_prefix=prefix or None)
