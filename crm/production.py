"""Start-up checks for a production deployment (`ENV=production`): settings whose defaults are
right for a laptop and wrong on a server make the app refuse to start, saying which and why."""
from __future__ import annotations

from urllib.parse import urlsplit

from flask import Flask

LOOPBACK = ("127.", "localhost", "::1", "0.0.0.0")


class ConfigurationError(RuntimeError):
    pass


def problems(config) -> list[str]:
    found = []
    host = urlsplit(config.get("PUBLIC_BASE_URL") or "").hostname or ""
    if not host or host.startswith(LOOPBACK):
        found.append("PUBLIC_BASE_URL must be the address enterprises open (e.g. https://crm.example.gov.cn): "
                     f"{config.get('PUBLIC_BASE_URL')!r} would send tracking links that point at this machine")
    return found


def check(app: Flask) -> None:
    if app.config.get("ENV") != "production":
        return
    found = problems(app.config)
    if found:
        raise ConfigurationError("refusing to start with ENV=production: " + "; ".join(found))
