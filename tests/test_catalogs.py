"""A deployment that skipped `make translations` (plain `pip install -r requirements.txt`) still
has English: the app compiles the reviewed catalogs when it starts."""
from __future__ import annotations

import shutil
from pathlib import Path

from config import BASE_DIR, TestingConfig
from crm import catalogs, create_app


def _po_only_tree(tmp_path: Path) -> Path:
    """translations/ as a fresh clone has it: the .po files, no compiled .mo."""
    tree = tmp_path / "translations"
    for po in (BASE_DIR / "translations").glob("*/LC_MESSAGES/messages.po"):
        target = tree / po.relative_to(BASE_DIR / "translations")
        target.parent.mkdir(parents=True)
        shutil.copy(po, target)
    assert not list(tree.rglob("*.mo"))
    return tree


def _english_login_page(app) -> str:
    client = app.test_client()
    client.post("/lang/en", data={"next": "/login"})
    return client.get("/login").get_data(as_text=True)


def test_an_install_without_compiled_catalogs_speaks_english(tmp_path):
    tree = _po_only_tree(tmp_path)
    app = create_app(TestingConfig, BABEL_TRANSLATION_DIRECTORIES=str(tree))
    assert (tree / "en/LC_MESSAGES/messages.mo").exists()
    page = _english_login_page(app)
    assert "Login name" in page and "Password" in page


def test_a_read_only_install_compiles_into_the_instance_folder(tmp_path, monkeypatch):
    tree = _po_only_tree(tmp_path)
    app = create_app(TestingConfig, BABEL_TRANSLATION_DIRECTORIES=str(tree))
    (tree / "en/LC_MESSAGES/messages.mo").unlink()  # as before the first start
    real = catalogs._compile

    def read_only_source(po, mo):
        if tree in mo.parents:
            raise PermissionError("read-only file system")
        real(po, mo)

    monkeypatch.setattr(catalogs, "_compile", read_only_source)
    instance = tmp_path / "instance"
    app.instance_path = str(instance)
    catalogs.ensure_compiled(app)  # what the start-up does
    assert (instance / "translations/en/LC_MESSAGES/messages.mo").exists()
    assert not (tree / "en/LC_MESSAGES/messages.mo").exists()
    assert app.config["BABEL_TRANSLATION_DIRECTORIES"].startswith(str(instance / "translations"))
    assert "Login name" in _english_login_page(app)
