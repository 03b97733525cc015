"""The interactive API documentation works offline: Swagger UI is served by Relais itself."""

from __future__ import annotations

from flask.testing import FlaskClient


def test_swagger_ui_and_its_files_are_served_locally(client: FlaskClient) -> None:
    page = client.get("/api/docs")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "/api/swagger-ui/swagger-ui-bundle.js" in html
    assert "cdn." not in html  # nothing fetched from the internet
    with client.get("/api/swagger-ui/swagger-ui-bundle.js") as script:
        assert script.status_code == 200 and b"SwaggerUIBundle" in script.data
    with client.get("/api/swagger-ui/swagger-ui.css") as css:
        assert css.status_code == 200
    with client.get("/api/swagger-ui/../../etc/passwd") as escape:
        assert escape.status_code == 404


def test_openapi_document_is_served(client: FlaskClient) -> None:
    spec = client.get("/api/openapi.json").get_json()
    assert spec["openapi"].startswith("3.")
    assert "/api/v1/invoices" in spec["paths"]
    assert spec["components"]["securitySchemes"]["bearerAuth"]["scheme"] == "bearer"
