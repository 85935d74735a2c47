"""Friendly error pages; a CSRF failure says the page expired."""


def test_unknown_page_is_a_friendly_404(client):
    response = client.get("/nowhere")
    assert response.status_code == 404
    assert "页面不存在" in response.get_data(as_text=True)


def test_csrf_failure_is_a_friendly_page_expired(app, client):
    app.config["WTF_CSRF_ENABLED"] = True
    response = client.post("/login", data={"login": "x", "password": "y"})
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "页面已过期" in page and "重新提交" in page


def test_login_form_carries_a_csrf_token(app, client):
    app.config["WTF_CSRF_ENABLED"] = True
    assert 'name="csrf_token"' in client.get("/login").get_data(as_text=True)


def test_unexpected_error_shows_no_stack_trace(app, client, monkeypatch):
    def boom():
        raise RuntimeError("secret internals")

    monkeypatch.setitem(app.view_functions, "main.healthz", boom)
    monkeypatch.setitem(app.config, "PROPAGATE_EXCEPTIONS", False)
    response = client.get("/healthz")
    assert response.status_code == 500
    page = response.get_data(as_text=True)
    assert "secret internals" not in page and "Traceback" not in page
    assert "系统出了点问题" in page
