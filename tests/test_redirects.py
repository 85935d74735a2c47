"""One safe-redirect helper (crm/redirects.py) for every user-given target: only paths on this
host; a CR/LF target was a 500, "/\\t/evil.example/" an open redirect (issue 17 item 6)."""
from __future__ import annotations

import pytest

from crm.auth.roles import Role
from crm.redirects import safe_next
from tests.conftest import PASSWORD

UNSAFE = ["/\t/evil.example/", "/\\evil.example", "//evil.example", "https://evil.example", "/\r\nSet-Cookie: a=b",
          "/\n/evil.example", " /x", "/x y", "\\/evil.example", "/a//evil.example", "javascript:alert(1)",
          "/\u202e/x", "/\x00", "", None]


@pytest.mark.parametrize("target", UNSAFE)
def test_unsafe_targets_give_the_fallback(target):
    assert safe_next(target, "/home") == "/home"


@pytest.mark.parametrize("target", ["/enterprises/?q=a", "/requests/board?section=overdue&page=2",
                                    "/enterprises/?q=http://x", "/visits/#top", "/enterprises/?q=%E5%85%AC%E5%8F%B8"])
def test_same_host_paths_are_kept(target):
    assert safe_next(target, "/home") == target


def test_login_with_a_cr_lf_next_is_no_500(client, users):
    response = client.post("/login?next=/%0D%0ASet-Cookie:%20a=b",
                           data={"login": users[Role.LIAISON].login, "password": PASSWORD})
    assert response.status_code == 302
    assert "\r" not in response.headers["Location"] and "\n" not in response.headers["Location"]
    assert "a" not in response.headers.getlist("Set-Cookie")


@pytest.mark.parametrize("target", ["/\r\n/evil.example/", "/\t/evil.example/", "/\\evil.example"])
def test_the_language_switch_refuses_a_crafted_next(client, target):
    response = client.post("/lang/en", data={"next": target})
    assert response.status_code == 302 and response.headers["Location"] == "/"


def test_the_language_switch_keeps_a_page_of_this_site(client):
    response = client.post("/lang/en", data={"next": "/enterprises/?q=a"})
    assert response.headers["Location"] == "/enterprises/?q=a"


def test_the_bulk_urge_goes_back_only_within_the_site(client, users, login_as, today):
    today()
    login_as(users[Role.COMMISSION])
    response = client.post("/requests/urge", data={"next": "/\t/evil.example/"})
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/requests/") and "evil" not in response.headers["Location"]
