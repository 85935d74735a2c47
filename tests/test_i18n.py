"""Chinese by default, English selectable per user and on the login page."""
from datetime import date

from flask_babel import force_locale

from crm.auth.roles import Role
from crm.i18n import long_date


def test_user_switches_language_to_english_and_back(client, users, login_as):
    login_as(users[Role.ADMIN])
    assert "退出" in client.get("/account/settings").get_data(as_text=True)
    client.post("/account/settings", data={"language": "en"})
    page = client.get("/account/settings").get_data(as_text=True)
    assert "Log out" in page and "Settings" in page
    assert "退出" not in page
    client.post("/account/settings", data={"language": "zh"})
    assert "退出" in client.get("/account/settings").get_data(as_text=True)


def test_login_page_switches_to_english_without_an_account(client):
    client.post("/lang/en", data={"next": "/login"})
    page = client.get("/login").get_data(as_text=True)
    assert "Login name" in page and "Password" in page


def test_dates_follow_the_locale(app):
    with app.test_request_context():
        with force_locale("zh_Hans_CN"):
            assert long_date(date(2026, 11, 24)) == "2026年11月24日"
        with force_locale("en"):
            assert long_date(date(2026, 11, 24)) == "November 24, 2026"


def test_error_pages_speak_the_users_language(client, users, login_as):
    login_as(users[Role.LIAISON])
    assert "页面不存在" in client.get("/no-such-page").get_data(as_text=True)
    client.post("/account/settings", data={"language": "en"})
    assert "Page not found" in client.get("/no-such-page").get_data(as_text=True)


def test_english_catalog_is_complete(tmp_path):
    """Every UI string in the code has an English translation."""
    import subprocess
    import sys
    from pathlib import Path

    from babel.messages.pofile import read_po

    root = Path(__file__).resolve().parent.parent
    pot = tmp_path / "messages.pot"
    subprocess.run(
        [sys.executable, "-m", "babel.messages.frontend", "-q", "extract", "-F", "babel.cfg",
         "-k", "_l", "-k", "lazy_gettext", "-o", str(pot), "."],
        cwd=root, capture_output=True, text=True, check=True,
    )
    with open(pot, encoding="utf-8") as fh:
        wanted = {m.id for m in read_po(fh) if m.id}
    assert len(wanted) > 100, "extraction found almost nothing: is babel.cfg still right?"
    with open(root / "translations/en/LC_MESSAGES/messages.po", encoding="utf-8") as fh:
        have = {m.id for m in read_po(fh) if m.id and m.string and not m.fuzzy}
    missing = sorted(str(m) for m in wanted - have)
    assert not missing, f"{len(missing)} strings lack English: {missing[:20]}"
