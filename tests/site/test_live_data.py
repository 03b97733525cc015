"""Build-time pages and the rebuild job's change detection, without a browser."""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

import pytest
from flask import Flask

from backend.config import Config
from backend.db import current_session
from backend.site import build
from backend.trainings.models import Registration, RegistrationState, TrainingSession
from backend.trainings.settings import current_settings
from tests.factories import UserFactory
from tests.trainings.conftest import make_training

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "docs_site" / "hooks"))
from relais_pages import api_reference, catalogue


def test_pages_say_in_french_when_there_is_no_data() -> None:
    page = catalogue.render(None, "Aucune session n'est encore publiée.")
    assert "Aucune session n'est encore publiée." in page
    assert 'id="relais-catalogue"' in page
    assert "Référence indisponible" in api_reference.render(None)


def test_api_reference_lists_operations_by_tag(app: Flask) -> None:
    from backend.extensions import api

    with app.app_context():
        page = api_reference.render(api.spec.to_dict())
    assert "## Formations\n" in page
    assert "### `POST /api/v1/trainings/{training_id}/registrations`" in page
    assert "S'inscrire à une session" in page
    assert "| `409` | Inscriptions closes ou session complète |" in page


def test_catalogue_groups_sessions_by_month_in_french(app_ctx: Flask) -> None:
    make_training(UserFactory(is_trainer=True).id, starts_in=dt.timedelta(days=40))
    data = build.site_data(current_session(), current_settings(), dt.datetime.now(dt.UTC))
    page = catalogue.render(data, None)
    training = data["trainings"][0]
    assert f"{{#session-{training['id']}}}" in page
    assert catalogue.when(training["parts"][0]) in page
    assert "\u00a0h\u00a0" in catalogue.when(training["parts"][0])  # « 11 h 30 » stays whole
    assert f"../session/?id={training['id']}" in page


def test_job_rebuilds_only_when_the_shown_data_changed(
    app_ctx: Flask, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    builds: list[str] = []
    monkeypatch.setattr(build, "build_site", lambda config: builds.append("x") or True)
    config: Config = app_ctx.extensions["relais_config"]
    monkeypatch.setattr(config, "instance_path", str(tmp_path))
    training = make_training(UserFactory(is_trainer=True).id)

    def run() -> None:
        build.rebuild_site_on_change(current_session(), dt.datetime.now(dt.UTC), config)

    run()
    run()
    assert len(builds) == 1
    seat = Registration(
        training=current_session().get(TrainingSession, training.id),
        email="a@exemple.fr",
        full_name="A B",
        structure_name="S",
        state=RegistrationState.CONFIRMED,
        position=1,
        consent_at=dt.datetime.now(dt.UTC),
        created_at=dt.datetime.now(dt.UTC),
    )
    current_session().add(seat)
    current_session().commit()
    run()
    assert len(builds) == 1, "a sign-up alone does not rebuild: seats are refreshed live"
    current_session().get(TrainingSession, training.id).title = "Un autre titre"
    current_session().commit()
    run()
    assert len(builds) == 2
