"""On a 390x844 phone, the demo liaison logs in and sees the Chinese home page."""


def test_demo_liaison_logs_in_on_a_phone(app, live_server, phone, screenshot):
    result = app.test_cli_runner().invoke(args=["crm", "demo", "--today", "2026-11-24"])
    assert result.exit_code == 0, result.output
    role, login, password = next(line.split() for line in result.stdout.splitlines()
                                 if line.startswith("liaison "))
    phone.goto(f"{live_server}/")
    assert phone.url.endswith("/login?next=%2F")
    assert phone.locator("h1").inner_text() == "登录"
    screenshot(phone, "login")
    phone.get_by_label("登录名").fill(login)
    phone.get_by_label("密码").fill(password)
    phone.get_by_role("button", name="登录").click()
    phone.wait_for_url(f"{live_server}/visits/mine")
    assert "我的企业" in phone.locator("h1").inner_text()
    # Fits the phone: nothing wider than the viewport.
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    screenshot(phone, "home")
