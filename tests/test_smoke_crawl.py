"""Every page a demo user can reach by following links answers without a server error.

A crawl over the demo district, breadth-first from each role's home page: it finds the
combinations of role, filter and data that hand-written tests miss (it found a report list
that failed for a department user filtering by town).
"""
import re
from collections import deque
from urllib.parse import parse_qsl, urlsplit

from crm.demo.context import DEMO_LOGINS, DEMO_PASSWORD

PAGES_PER_ROLE = 150
SKIP = ("/static", "/bootstrap", "/logout", "/lang/")
LINK = re.compile(r'href="(/[^"#]*)"')


def kind_of(url: str) -> tuple:
    """Pages of one kind: same path with ids blanked, same query parameters and kinds."""
    parts = urlsplit(url)
    return (re.sub(r"\d+", "N", parts.path),
            tuple(sorted((k, v if k in ("kind", "status", "tab", "section") else "")
                         for k, v in parse_qsl(parts.query))))


def test_no_reachable_page_fails_for_any_demo_role(app):
    result = app.test_cli_runner().invoke(args=["crm", "demo", "--today", "2026-11-24"])
    assert result.exit_code == 0, result.output
    app.config["CRM_TODAY"] = "2026-11-24"
    failures = []
    for role, login in DEMO_LOGINS.items():
        client = app.test_client()
        assert client.post("/login", data={"login": login, "password": DEMO_PASSWORD}).status_code == 302
        seen: set[tuple] = set()
        todo = deque(["/"])
        while todo and len(seen) < PAGES_PER_ROLE:
            url = todo.popleft()
            if kind_of(url) in seen:
                continue
            seen.add(kind_of(url))
            response = client.get(url)
            if response.status_code >= 500:
                failures.append((role.value, url, response.status_code))
            if response.status_code in (301, 302) and response.headers["Location"].startswith("/"):
                todo.append(response.headers["Location"])
            elif "html" in response.headers.get("Content-Type", ""):
                for href in LINK.findall(response.get_data(as_text=True)):
                    href = href.replace("&amp;", "&")
                    if not href.startswith(SKIP) and not href.endswith(".xlsx") and kind_of(href) not in seen:
                        todo.append(href)
            response.close()
        assert len(seen) > 10, f"{role.value} reached almost nothing"
    assert failures == []
