"""The phone's invoice endpoints: list, filters, pages, detail, Synthèse, dashboard, ETags."""

from __future__ import annotations

import gzip
import json

from flask.testing import FlaskClient

from tests.factories import at, make_invoice
from tests.tracking.conftest import World


def _numbers(body: dict) -> list[str]:  # type: ignore[type-arg]
    return [item["number"] for item in body["items"]]


def test_list_newest_change_first_with_total(client: FlaskClient, world: World) -> None:
    body = client.get("/api/v1/invoices", headers=world.headers(client)).get_json()
    assert _numbers(body) == ["F-INEDIT", "F-RECYC", "F-SUSP", "F-REJET", "F-PAYEE", "F-ENCOURS"]
    assert body["total"] == 6
    first = body["items"][0]
    assert first["status"] == {
        "code": "ETAT_INEDIT",
        "label": "Etat inedit",  # an unknown code, as words
        "known": False,
        "category": None,
        "category_label": None,
        "lifecycle_code": None,
        "action_required": False,
        "final": False,
        "comment": None,
        "changed_at": "2026-10-28T10:00:00+00:00",
    }
    suspended = body["items"][2]
    assert suspended["status"]["label"] == "Suspendue"
    assert suspended["status"]["lifecycle_code"] == 208
    assert suspended["amount_incl_tax"] == "820.50"
    assert suspended["acknowledgement"]["mandatory_from"] == "2026-11-02"


def test_filters(client: FlaskClient, world: World) -> None:
    h = world.headers(client)

    def numbers(query: str) -> list[str]:
        response = client.get(f"/api/v1/invoices?{query}", headers=h)
        assert response.status_code == 200, response.get_json()
        return sorted(_numbers(response.get_json()))

    assert numbers("status=REJETEE&status=SUSPENDUE") == ["F-REJET", "F-SUSP"]
    assert numbers("category=action_required") == ["F-RECYC", "F-REJET", "F-SUSP"]
    assert numbers("category=paid") == ["F-PAYEE"]
    assert numbers(f"recipient_id={world.hospital.id}") == ["F-ENCOURS", "F-REJET"]
    assert numbers("amount_min=100&amount_max=1000") == ["F-REJET", "F-SUSP"]
    assert numbers("q=recyc") == ["F-RECYC"]
    assert numbers("q=hospitalier") == ["F-ENCOURS", "F-REJET"]
    assert numbers("q=50%25") == []  # LIKE wildcards are searched literally
    assert numbers("changed_from=2026-10-26&changed_to=2026-10-27") == ["F-RECYC", "F-SUSP"]
    assert numbers("invoice_date_from=2026-10-02") == []
    assert numbers(f"structure_id={world.theirs.id}") == []


def test_bad_filters_name_the_field(client: FlaskClient, world: World) -> None:
    h = world.headers(client)
    cases = {
        "category=nope": "category",
        "limit=0": "limit",
        "limit=101": "limit",
        "amount_min=abc": "amount_min",
        "changed_from=2026-13-01": "changed_from",
        "changed_from=2026-10-05&changed_to=2026-10-01": "changed_from",
        "cursor=%21%21%21": None,
    }
    for query, field in cases.items():
        response = client.get(f"/api/v1/invoices?{query}", headers=h)
        body = response.get_json()
        assert response.mimetype == "application/problem+json", query
        if field is None:
            assert response.status_code == 400
            assert body["detail"] == "Curseur de pagination invalide."
        else:
            assert response.status_code == 422, query
            assert body["invalid_params"][0]["name"].split(".")[0] == field, (query, body)


def test_cursor_pagination_walks_everything_once(client: FlaskClient, world: World) -> None:
    h = world.headers(client)
    seen: list[str] = []
    url = "/api/v1/invoices?limit=4"
    pages = 0
    while url:
        body = client.get(url, headers=h).get_json()
        assert body["total"] == 6
        seen += _numbers(body)
        pages += 1
        url = (
            f"/api/v1/invoices?limit=4&cursor={body['next_cursor']}" if body["next_cursor"] else ""
        )
    assert pages == 2
    assert len(seen) == len(set(seen)) == 6
    # Going back from the second page returns the first.
    second = client.get("/api/v1/invoices?limit=4", headers=h).get_json()
    page2 = client.get(f"/api/v1/invoices?limit=4&cursor={second['next_cursor']}", headers=h)
    back = client.get(
        f"/api/v1/invoices?limit=4&cursor={page2.get_json()['prev_cursor']}", headers=h
    ).get_json()
    assert _numbers(back) == _numbers(second)


def test_limit_equal_to_total_has_no_next_page(client: FlaskClient, world: World) -> None:
    body = client.get("/api/v1/invoices?limit=6", headers=world.headers(client)).get_json()
    assert len(body["items"]) == 6 and body["next_cursor"] is None


def test_a_page_does_not_shift_when_new_changes_arrive(client: FlaskClient, world: World) -> None:
    h = world.headers(client)
    first = client.get("/api/v1/invoices?limit=3", headers=h).get_json()
    make_invoice(world.mine, world.town, [("DEPOSEE", at(30))], number="F-NOUVELLE")
    second = client.get(f"/api/v1/invoices?limit=3&cursor={first['next_cursor']}", headers=h)
    assert _numbers(second.get_json()) == ["F-REJET", "F-PAYEE", "F-ENCOURS"]
    assert second.get_json()["total"] == 7


def test_etag_and_304(client: FlaskClient, world: World) -> None:
    h = world.headers(client)
    for url in [
        "/api/v1/invoices",
        "/api/v1/summary",
        "/api/v1/dashboard",
        f"/api/v1/invoices/{world.paid.id}",
        "/api/v1/me",
    ]:
        first = client.get(url, headers=h)
        etag = first.headers["ETag"]
        assert etag and not etag.startswith("W/"), url
        again = client.get(url, headers={**h, "If-None-Match": etag})
        assert again.status_code == 304, url
        assert again.data == b""
        assert again.headers["ETag"] == etag
    before = client.get("/api/v1/invoices", headers=h).headers["ETag"]
    make_invoice(world.mine, world.town, [("DEPOSEE", at(30))])
    changed = client.get("/api/v1/invoices", headers={**h, "If-None-Match": before})
    assert changed.status_code == 200
    assert changed.headers["ETag"] != before


def test_a_weakened_etag_still_revalidates(client: FlaskClient, world: World) -> None:
    """If-None-Match compares weakly (RFC 9110): a proxy that compresses may send `W/"…"`."""
    plain = world.headers(client)
    urls = ["/api/v1/invoices", f"/api/v1/invoices/{world.paid.id}", "/api/v1/me"]
    for h in (plain, {**plain, "Accept-Encoding": "gzip"}):
        for url in urls:
            etag = client.get(url, headers=h).headers["ETag"]
            again = client.get(url, headers={**h, "If-None-Match": f"W/{etag}"})
            assert again.status_code == 304, (url, h)
    other = client.get(urls[0], headers={**plain, "If-None-Match": 'W/"autre"'})
    assert other.status_code == 200


def test_a_304_repeats_the_tag_the_client_holds(client: FlaskClient, world: World) -> None:
    """RFC 9110: a 304 carries the ETag a 200 to the same request would, so a compressed
    page's revalidation keeps its `:gzip` tag, and a plain one its plain tag."""
    plain = world.headers(client)
    for h in (plain, {**plain, "Accept-Encoding": "gzip"}):
        for url in ("/api/v1/invoices", "/api/v1/summary", "/api/v1/me"):
            etag = client.get(url, headers=h).headers["ETag"]
            for sent in (etag, f"W/{etag}", f'"autre", {etag}'):
                again = client.get(url, headers={**h, "If-None-Match": sent})
                assert again.status_code == 304, (url, h, sent)
                assert again.headers["ETag"] == etag, (url, h, sent)
    # Another suffix still matches, but the client's own text is never sent back.
    tag = client.get("/api/v1/invoices", headers=plain).headers["ETag"]
    bare = tag.strip('"')
    for odd in (f"{bare}:\x00", f"{bare}:{'z' * 8000}", f'"{bare}:deflate"'):
        again = client.get("/api/v1/invoices", headers={**plain, "If-None-Match": odd})
        assert again.status_code == 304 and again.headers["ETag"] == tag, odd[-10:]
    star = client.get("/api/v1/invoices", headers={**plain, "If-None-Match": "*"})
    assert star.status_code == 304
    assert star.headers["ETag"] == client.get("/api/v1/invoices", headers=plain).headers["ETag"]


def test_304_does_not_run_the_list_query(client: FlaskClient, world: World, count_queries) -> None:  # type: ignore[no-untyped-def]
    h = world.headers(client)
    etag = client.get("/api/v1/invoices", headers=h).headers["ETag"]
    count_queries.statements.clear()
    response = client.get("/api/v1/invoices", headers={**h, "If-None-Match": etag})
    assert response.status_code == 304
    assert not any("FROM invoices" in s for s in count_queries.statements)
    assert count_queries.count == 1  # the login session, its user and scope, in one query


def test_compressed_response_keeps_a_usable_etag(client: FlaskClient, world: World) -> None:
    h = {**world.headers(client), "Accept-Encoding": "gzip"}
    response = client.get("/api/v1/invoices", headers=h)
    assert response.headers["Content-Encoding"] == "gzip"
    assert json.loads(gzip.decompress(response.data))["total"] == 6
    again = client.get("/api/v1/invoices", headers={**h, "If-None-Match": response.headers["ETag"]})
    assert again.status_code == 304


def test_detail_explains_every_step(client: FlaskClient, world: World) -> None:
    body = client.get(
        f"/api/v1/invoices/{world.rejected.id}", headers=world.headers(client)
    ).get_json()
    assert body["number"] == "F-REJET"
    assert body["structure"]["name"] == "Menuiserie Dupont"
    assert [s["code"] for s in body["history"]] == [
        "DEPOSEE",
        "EN_COURS_ACHEMINEMENT",
        "MISE_A_DISPOSITION",
        "REJETEE",
    ]
    last = body["history"][-1]
    assert last["label"] == "Rejetée"
    assert last["comment"] == "Montant erroné"
    assert "nouvelle facture" in last["action"]
    assert last["explanation"].startswith("Le destinataire refuse la facture")
    assert body["next_action"] == last["action"]
    english = client.get(
        f"/api/v1/invoices/{world.rejected.id}",
        headers={**world.headers(client), "Accept-Language": "en-GB,en;q=0.9"},
    ).get_json()
    assert english["history"][-1]["label"] == "Rejected"


def test_detail_of_unknown_status(client: FlaskClient, world: World) -> None:
    body = client.get(
        f"/api/v1/invoices/{world.unknown.id}", headers=world.headers(client)
    ).get_json()
    assert body["status"]["known"] is False
    assert body["history"][-1]["label"] == "Etat inedit"
    assert "tel que le portail" in body["history"][-1]["explanation"]


def test_summary(client: FlaskClient, world: World) -> None:
    body = client.get("/api/v1/summary", headers=world.headers(client)).get_json()
    todo = {t["code"]: (t["count"], t["amount_incl_tax"]) for t in body["todo"]}
    assert todo == {
        "BROUILLON": (0, "0.00"),
        "A_RECYCLER": (1, "99.99"),
        "SUSPENDUE": (1, "820.50"),
        "REJETEE": (1, "300.00"),
        "A_COMPLETER": (0, "0.00"),
    }
    assert body["action_required"] == {"count": 3, "amount_incl_tax": "1220.49"}
    acks = body["to_acknowledge"]
    assert [a["number"] for a in acks] == ["F-REJET", "F-SUSP"]
    assert acks[0]["mandatory_from"] == "2026-11-01" and acks[0]["mandatory"] is True
    assert acks[0]["comment"] == "Montant erroné"


def test_dashboard(client: FlaskClient, world: World) -> None:
    body = client.get("/api/v1/dashboard", headers=world.headers(client)).get_json()
    assert body["totals"] == {"count": 6, "amount_incl_tax": "4730.49"}
    by_status = {s["code"]: s["count"] for s in body["by_status"]}
    assert by_status["MISE_EN_PAIEMENT"] == 1 and by_status["ETAT_INEDIT"] == 1
    categories = {c["category"]: c["count"] for c in body["by_category"]}
    assert categories == {"in_progress": 1, "action_required": 3, "paid": 1, "closed": 0}
    assert [s["name"] for s in body["by_structure"]] == ["Menuiserie Dupont"]
    period = client.get(
        "/api/v1/dashboard?changed_from=2026-10-25&changed_to=2026-10-26",
        headers=world.headers(client),
    ).get_json()
    assert period["totals"]["count"] == 2
