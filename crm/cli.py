"""The `flask crm ...` command group; each feature adds its commands in its own cli module."""
from __future__ import annotations

import importlib

from flask import Flask
from flask.cli import AppGroup

crm_cli = AppGroup("crm", help="企业服务包管理系统 commands.")

#: Feature modules that attach commands to crm_cli when imported.
COMMAND_MODULES = ["crm.auth.cli", "crm.auth.inactive", "crm.org.cli", "crm.demo.cli", "crm.calendar.cli", "crm.requests.tick",
                   "crm.api.cli", "crm.enterprises.cli", "crm.audit.cli", "crm.backup.cli"]


def init_app(app: Flask) -> None:
    for name in COMMAND_MODULES:
        importlib.import_module(name)
    app.cli.add_command(crm_cli)
