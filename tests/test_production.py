"""With ENV=production the app refuses to start on settings that only suit a laptop."""
import pytest

from config import TestingConfig
from crm import create_app
from crm.production import ConfigurationError


@pytest.mark.parametrize("base", ["http://127.0.0.1:5000", "", "http://localhost:8000"])
def test_production_refuses_tracking_links_to_this_machine(base):
    with pytest.raises(ConfigurationError, match="PUBLIC_BASE_URL"):
        create_app(TestingConfig, ENV="production", PUBLIC_BASE_URL=base)


def test_production_starts_with_a_real_public_address():
    app = create_app(TestingConfig, ENV="production", PUBLIC_BASE_URL="https://crm.district.example")
    assert app.config["PUBLIC_BASE_URL"] == "https://crm.district.example"


def test_development_keeps_the_local_default():
    assert create_app(TestingConfig).config["PUBLIC_BASE_URL"].startswith("http://127.0.0.1")
