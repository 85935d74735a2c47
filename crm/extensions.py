"""Flask extensions, created unbound and initialised in create_app()."""
from flask_babel import Babel
from flask_bootstrap import Bootstrap5
from flask_limiter import Limiter
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_wtf import CSRFProtect

from crm.client_address import client_address
from crm.db import db

migrate = Migrate()
login_manager = LoginManager()
csrf = CSRFProtect()
babel = Babel()
bootstrap = Bootstrap5()
limiter = Limiter(key_func=client_address, default_limits=[])

__all__ = ["db", "migrate", "login_manager", "csrf", "babel", "bootstrap", "limiter"]
