"""The portal's endpoints as the sandbox serves them: token, search, history, invoice consult,
structure."""

from __future__ import annotations

import datetime as dt
import time
from typing import Any

from flask import Flask, Response, jsonify, request

from backend.portal import endpoints
from backend.portal.sandbox import render
from backend.portal.sandbox.core import AccountRefused, Sandbox

# Sandbox conventions for input errors (HTTP 400 + codeRetour, as the portal does).
BAD_BODY, BAD_DATE, BAD_PAGING, NO_INVOICE, NO_STRUCTURE, BAD_STATUS = range(20101, 20107)
HISTORY_DEFAULT = 200


class BadInput(Exception):
    def __init__(self, code: int, libelle: str) -> None:
        super().__init__(libelle)
        self.code, self.libelle = code, libelle


def answer(body: dict[str, Any], status: int = 200, **headers: str) -> Response:
    response = jsonify(body)
    response.status_code = status
    response.headers.update(headers)
    return response


def register_api(app: Flask, sandbox: Sandbox) -> None:
    """Attach the token endpoint and the /cpro/ calls to the sandbox app."""

    @app.post(endpoints.TOKEN_PATH)
    def token() -> Response:
        form = request.form
        if form.get("grant_type") != "client_credentials":
            return answer({"error": "unsupported_grant_type"}, 400)
        auth = request.authorization
        client_id = form.get("client_id") or (auth.username if auth else "") or ""
        secret = form.get("client_secret") or (auth.password if auth else "") or ""
        value = sandbox.issue_token(client_id, secret)
        if value is None:
            return answer({"error": "invalid_client", "error_description": "Client inconnu."}, 401)
        return answer({"access_token": value, "token_type": "Bearer",
                       "expires_in": sandbox.token_lifetime, "scope": "openid"})  # fmt: skip

    def guarded(handler: Any) -> Any:
        """Faults, then gateway token, then technical account, then the call itself."""

        def view() -> Response:
            arrived = time.time()
            sandbox.calls[request.path] += 1
            response = attempt()
            sandbox.record_call(arrived, response.status_code)
            return response

        def attempt() -> Response:
            early = _faults_and_auth(sandbox)
            if isinstance(early, Response):
                return early
            body = request.get_json(silent=True)
            try:
                if not isinstance(body, dict):
                    raise BadInput(BAD_BODY, "Le corps de la requête doit être un objet JSON.")
                return answer(handler(early, body))
            except BadInput as exc:
                return answer({"codeRetour": exc.code, "libelle": exc.libelle}, 400)

        return view

    app.add_url_rule(
        endpoints.SEARCH_SUPPLIER_INVOICES, "search", guarded(lambda s, b: search(sandbox, s, b)),
        methods=["POST"],
    )  # fmt: skip
    app.add_url_rule(
        endpoints.INVOICE_HISTORY, "history", guarded(lambda s, b: history(sandbox, s, b)),
        methods=["POST"],
    )  # fmt: skip
    app.add_url_rule(
        endpoints.CONSULT_SUPPLIER_INVOICE, "consult_invoice",
        guarded(lambda s, b: consult_invoice(sandbox, s, b)), methods=["POST"],
    )  # fmt: skip
    app.add_url_rule(
        endpoints.ACTIVE_SUPPLIER_STRUCTURES, "active_structures",
        guarded(lambda s, b: active_structures(sandbox, s)), methods=["POST"],
    )  # fmt: skip
    app.add_url_rule(
        endpoints.CONSULT_STRUCTURE, "structure", guarded(lambda s, b: structure(sandbox, b)),
        methods=["POST"],
    )  # fmt: skip


def _faults_and_auth(sandbox: Sandbox) -> Response | int:
    """An early answer (fault, refused token or account), or the caller's supplier id."""
    faults = sandbox.faults
    delay = faults.take_delay()
    if delay:
        time.sleep(delay)
    if faults.take("fail_calls") or faults.by_chance("fail_share"):
        status = faults.settings.fail_status
        return answer({"codeRetour": status, "libelle": "Service indisponible."}, status)
    if faults.take("rate_limit_calls") or faults.by_chance("rate_limit_share"):
        retry_after = str(faults.settings.retry_after)
        body = {"codeRetour": 429, "libelle": "Quota de requêtes dépassé."}
        return answer(body, 429, **{"Retry-After": retry_after})
    bearer = request.headers.get("Authorization", "")
    if not bearer.startswith("Bearer ") or not sandbox.token_valid(bearer[7:]):
        challenge = 'Bearer error="invalid_token", error_description="Jeton invalide ou expiré"'
        return answer({"error": "invalid_token"}, 401, **{"WWW-Authenticate": challenge})
    try:
        supplier_id = sandbox.supplier_for(request.headers.get("cpro-account"))
    except AccountRefused as exc:
        return answer({"codeRetour": exc.code, "libelle": exc.libelle}, 403)
    if faults.take("code_retour_calls"):
        s = faults.settings
        return answer({"codeRetour": s.code_retour, "libelle": s.code_retour_libelle})
    return supplier_id


def _int(body: dict[str, Any], key: str, default: int, low: int, high: int) -> int:
    value = body.get(key, default)
    if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= high:
        raise BadInput(BAD_PAGING, f"{key} doit être un entier entre {low} et {high}.")
    return value


def _window(body: dict[str, Any], key: str) -> dt.datetime | None:
    try:
        return render.parse_window(body.get(key))
    except ValueError as exc:
        raise BadInput(BAD_DATE, f"{key} : date et heure ISO 8601 attendues.") from exc


def search(sandbox: Sandbox, supplier_id: int, body: dict[str, Any]) -> dict[str, Any]:
    """rechercher/fournisseur: window on the current status time, statuses, paging."""
    paging = body.get("rechercheFactureParFournisseur") or {}
    if not isinstance(paging, dict):
        raise BadInput(BAD_PAGING, "rechercheFactureParFournisseur doit être un objet.")
    page = _int(paging, "pageResultatDemandee", 1, 1, 100_000)
    per_page = _int(paging, "nbResultatsParPage", 10, 1, 10_000)
    since = _window(body, "periodeDateHeureEtatCourantDu")
    until = _window(body, "periodeDateHeureEtatCourantAu")
    statuses = body.get("statutCourant") or []
    if isinstance(statuses, str):
        statuses = [statuses]
    if not all(isinstance(code, str) for code in statuses):
        raise BadInput(BAD_STATUS, "statutCourant doit être une liste de codes.")
    if since and until and until < since:
        raise BadInput(BAD_DATE, "La période demandée se termine avant de commencer.")
    end = until + dt.timedelta(minutes=1) if until else None  # the "Au" minute is included
    query = (supplier_id, since, end, statuses)
    rows, total = sandbox.store.search(*query, (page - 1) * per_page, per_page)
    if page == 1 and total > per_page and rows and sandbox.faults.take("change_between_pages"):
        sandbox.nudge(int(rows[0]["id"]))
    return render.search(rows, page, per_page, total, sandbox.wire)


def history(sandbox: Sandbox, supplier_id: int, body: dict[str, Any]) -> dict[str, Any]:
    """consulter/historique for an invoice of the caller's structure."""
    inv = sandbox.store.row(
        "SELECT * FROM invoices WHERE id = ? AND supplier_id = ?",
        [body.get("idFacture"), supplier_id],
    )
    if inv is None:
        raise BadInput(NO_INVOICE, "Facture introuvable ou non accessible avec ce compte.")
    paging = body.get("paramRechercheHistoStatuts") or {}
    if not isinstance(paging, dict):
        raise BadInput(BAD_PAGING, "paramRechercheHistoStatuts doit être un objet.")
    # A paging block (go-choruspro) or a maximum (Pastell); 200 unasked (inference).
    size = _int(body, "nbResultatsMaximum", HISTORY_DEFAULT, 1, 1000)
    size = _int(paging, "nbResultatsParPageListeHistoStatut", size, 1, 1000)
    page = _int(paging, "pageResultatDemandeeListeHistoStatut", 1, 1, 100_000)
    events = sandbox.store.history(int(inv["id"]))
    shown = events[(page - 1) * size : page * size]
    return render.history(inv, shown, page, size, len(events))


def consult_invoice(sandbox: Sandbox, supplier_id: int, body: dict[str, Any]) -> dict[str, Any]:
    """consulter/fournisseur for an invoice of the caller's structure."""
    inv = sandbox.store.row(
        "SELECT * FROM invoice_view WHERE id = ? AND supplier_id = ?",
        [body.get("identifiantFactureCPP"), supplier_id],
    )
    if inv is None:
        raise BadInput(NO_INVOICE, "Facture introuvable ou non accessible avec ce compte.")
    recipient = sandbox.store.row("SELECT * FROM structures WHERE id = ?", [inv["recipient_id"]])
    assert recipient is not None  # invoice_view joins it
    return render.consulted_invoice(inv, recipient)


def active_structures(sandbox: Sandbox, supplier_id: int) -> dict[str, Any]:
    """recuperer/structures/actives/fournisseur: the one structure the account belongs to."""
    row = sandbox.store.row("SELECT * FROM structures WHERE id = ?", [supplier_id])
    assert row is not None  # the account references it
    entry = {"idStructureCPP": row["id"], "identifiant": row["siret"],
             "designationStructure": row["name"]}  # fmt: skip
    return {**render.SUCCESS, "listeStructures": [entry]}


def structure(sandbox: Sandbox, body: dict[str, Any]) -> dict[str, Any]:
    """structures/v1/consulter, by idStructureCPP (OCA) or idStructure (go-choruspro)."""
    wanted = body.get("idStructureCPP") or body.get("idStructure")
    row = sandbox.store.row("SELECT * FROM structures WHERE id = ?", [wanted])
    if row is None:
        raise BadInput(NO_STRUCTURE, "Structure inconnue.")
    account = sandbox.store.row(
        "SELECT password_expires_on FROM accounts WHERE structure_id = ?", [row["id"]]
    )
    return render.structure(row, account[0] if account else None)
