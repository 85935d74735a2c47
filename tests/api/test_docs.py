"""The OpenAPI document lists exactly the API's routes; the docs page is rendered from it."""
from __future__ import annotations

import re

from crm.api.routing import OPERATIONS


def test_document_is_valid_openapi_3_1_and_public(client):
    import jsonschema_rs
    from schemathesis.specs.openapi.definitions import OPENAPI_31_VALIDATOR

    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    doc = response.json
    assert doc["openapi"].startswith("3.1")
    OPENAPI_31_VALIDATOR.validate(doc)
    for name, schema in doc["components"]["schemas"].items():
        jsonschema_rs.meta.validate(schema)  # each is valid JSON Schema 2020-12
    assert doc["components"]["securitySchemes"]["bearerAuth"]["scheme"] == "bearer"
    assert doc["components"]["schemas"]["Error"]["required"] == ["error"]


def test_every_api_route_is_documented_and_every_documented_operation_exists(app, client):
    doc = client.get("/api/v1/openapi.json").json
    documented = {(method.upper(), "/api/v1" + path) for path, ops in doc["paths"].items() for method in ops}
    routed = set()
    for rule in app.url_map.iter_rules():
        if rule.endpoint.startswith("api.") and rule.endpoint not in ("api.openapi_json", "api.docs"):
            path = re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", rule.rule)
            routed |= {(m, path) for m in rule.methods - {"HEAD", "OPTIONS"}}
    assert routed == documented
    assert len(OPERATIONS) == len(documented)


def test_write_operations_document_their_errors(client):
    doc = client.get("/api/v1/openapi.json").json
    create = doc["paths"]["/enterprises"]["post"]
    assert {"400", "401", "403", "413", "415", "422", "429", "409", "201"} <= set(create["responses"])
    assert create["requestBody"]["content"]["application/json"]["schema"]["$ref"].endswith("EnterpriseCreate")
    body = doc["components"]["schemas"]["EnterpriseCreate"]
    assert body["additionalProperties"] is False and body["properties"]["name"]["maxLength"] == 200


def test_docs_page_shows_every_operation_from_app_served_files(client):
    response = client.get("/api/v1/docs")
    assert response.status_code == 200 and response.mimetype == "text/html"
    page = response.get_data(as_text=True)
    for op in OPERATIONS:
        assert f'id="{op.operation_id}"' in page and op.path in page
    assert "Authorization: Bearer" in page and "EnterpriseCreate" in page
    assert not re.search(r"(src|href)=\"https?://", page)


def test_admin_token_page_links_to_the_docs(client, users, login_as):
    from crm.auth.roles import Role

    login_as(users[Role.ADMIN])
    assert "/api/v1/docs" in client.get("/admin/api-tokens/").get_data(as_text=True)
