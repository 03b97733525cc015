"""The interactive API documentation (/api/docs): Swagger UI in a page of ours.

flask-smorest's page had no viewport, no language, no way back to the site and Swagger UI's
colours, 57 of them below WCAG's contrast ratios. Ours says all that; Swagger UI's own files
still come from the swagger-ui-bundle package (/api/swagger-ui/), ours from here.
"""

from __future__ import annotations

from flask import Blueprint

TEMPLATE = "relais_swagger_ui.html"
# Where the page's own stylesheet and script are served, beside the page itself.
STATIC_URL_PATH = "/api/docs/static"

blp = Blueprint(
    "apidocs",
    __name__,
    template_folder="templates",
    static_folder="static",
    static_url_path=STATIC_URL_PATH,
)
