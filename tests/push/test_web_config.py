"""FIREBASE_WEB_CONFIG: what the web app is told (public), the page policy that lets the
Firebase JS SDK take its token, and a setting that cannot work refused at start."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient

from backend.config import Config
from tests.conftest import sibling_app

WEB_CONFIG = {
    "apiKey": "AIzaSy-test-key",
    "authDomain": "relais-test.firebaseapp.com",
    "projectId": "relais-test",
    "messagingSenderId": "1234567890",
    "appId": "1:1234567890:web:abcdef",
    "vapidKey": "BEl62iUYgUivxIkv69yViEuiBIa-Ib9-SkvMeAtA3LFgDzkrxZJjSgSnfckjBJuBkr3qBUYIHBQ",
}
FIREBASE_ORIGINS = (
    "https://firebaseinstallations.googleapis.com",
    "https://fcmregistrations.googleapis.com",
)


def test_without_the_setting_the_app_is_told_there_is_no_web_push(client: FlaskClient) -> None:
    response = client.get("/api/v1/push/web-config")  # no login: asked before signing in
    assert response.status_code == 200
    assert response.get_json() == {"enabled": False, "firebase": None, "vapid_key": None}
    again = {"If-None-Match": response.headers["ETag"]}
    assert client.get("/api/v1/push/web-config", headers=again).status_code == 304
    # The app's page reaches nothing but Relais.
    policy = client.get("/app/").headers["Content-Security-Policy"]
    assert "connect-src 'self';" in policy
    assert not any(origin in policy for origin in FIREBASE_ORIGINS)


def test_with_the_setting_the_app_gets_the_firebase_config_and_its_page_may_reach_fcm(
    app: Flask, app_ctx: Flask, tmp_path: Path
) -> None:
    with sibling_app(app, tmp_path, firebase_web_config=json.dumps(WEB_CONFIG)) as configured:
        client = configured.test_client()
        body = client.get("/api/v1/push/web-config").get_json()
        page = client.get("/app/")
        worker = client.get("/app/sw.js")
    firebase = {k: v for k, v in WEB_CONFIG.items() if k != "vapidKey"}
    assert body == {"enabled": True, "firebase": firebase, "vapid_key": WEB_CONFIG["vapidKey"]}
    policy = page.headers["Content-Security-Policy"]
    assert "script-src 'self';" in policy  # still nothing inline, nothing from elsewhere
    assert "connect-src 'self' " + " ".join(FIREBASE_ORIGINS) + ";" in policy
    assert "frame-ancestors 'none'" in policy and "object-src 'none'" in policy
    # Only the page's own requests: the worker (and any other answer) keeps its policy.
    assert "googleapis" not in worker.headers["Content-Security-Policy"]


@pytest.mark.parametrize(
    ("raw", "said"),
    [
        ("{not json", "not JSON"),
        ("[1, 2]", "JSON object"),
        (json.dumps({k: v for k, v in WEB_CONFIG.items() if k != "vapidKey"}), "vapidKey"),
        (json.dumps({**WEB_CONFIG, "appId": ""}), "appId"),
    ],
)
def test_a_setting_that_cannot_work_stops_the_start(raw: str, said: str, tmp_path: Path) -> None:
    with pytest.raises(ValueError, match=said):
        Config(instance_path=str(tmp_path), firebase_web_config=raw).resolved()


def test_unknown_keys_are_not_passed_on(app: Flask, app_ctx: Flask, tmp_path: Path) -> None:
    extra = json.dumps({**WEB_CONFIG, "privateKey": "never-public"})
    with sibling_app(app, tmp_path, firebase_web_config=extra) as configured:
        text = configured.test_client().get("/api/v1/push/web-config").get_data(as_text=True)
    assert "never-public" not in text
