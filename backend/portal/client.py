"""PortalClient: the national portal's supplier API, over httpx, with retries."""

from __future__ import annotations

import datetime as dt
import functools
import json
import logging
import ssl
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from decimal import Decimal
from typing import Any

import httpx
from tenacity import RetryError

from backend.portal import endpoints
from backend.portal.auth import Clock, TechnicalAccount, TokenProvider, utc_now
from backend.portal.consult import InvoiceRecipient
from backend.portal.endpoints import PortalEnvironment
from backend.portal.errors import (
    PortalBusinessError,
    PortalCredentialsError,
    PortalProtocolError,
    PortalResultsUnstableError,
    PortalUnavailableError,
    RetryableResponse,
    StructureNotConnectedError,
    TechnicalAccountError,
    TechnicalPasswordExpiredError,
)
from backend.portal.history import InvoiceHistory, StructureInfo
from backend.portal.pacing import CallGate, OpenGate, PageCursor
from backend.portal.retry import RetryPolicy, parse_retry_after
from backend.portal.structures import ActiveStructure
from backend.portal.wire import (
    InvoiceSummary,
    SearchPage,
    UnreadableInvoice,
    UnreadableValue,
    format_datetime,
    window_end,
)

log = logging.getLogger(__name__)
MAX_PAGES = 10_000  # a walk beyond this is a portal that ignores paging, not a supplier
HISTORY_PAGE = 50  # statuses per history page, as Pastell asks


@functools.cache
def tls_context() -> ssl.SSLContext:
    """One TLS context for every client of the process. Building one loads the CA bundle:
    tens of milliseconds of CPU, which each sync run paid for its new client (bench/README.md,
    the sync at national scale)."""
    return httpx.create_ssl_context()


class PortalClient:
    """Synchronous client for the supplier calls Relais needs (search, history, invoice consult,
    directory)."""

    def __init__(
        self,
        environment: PortalEnvironment,
        client_id: str,
        client_secret: str,
        *,
        account: TechnicalAccount | None = None,
        timeout: float = 20.0,
        retry: RetryPolicy | None = None,
        clock: Clock = utc_now,
        token_margin: dt.timedelta = dt.timedelta(seconds=60),
        transport: httpx.BaseTransport | None = None,
        gate: CallGate | None = None,
    ) -> None:
        self.environment = environment
        self.account = account
        self.retry = retry or RetryPolicy()
        self.gate: CallGate = gate or OpenGate()
        self.calls = 0  # API calls sent (tokens apart), retries included
        self._clock = clock
        self._http = httpx.Client(timeout=timeout, transport=transport, verify=tls_context())
        self.tokens = TokenProvider(
            self._http,
            environment.token_url,
            client_id,
            client_secret,
            clock=clock,
            margin=token_margin,
        )

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> PortalClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def search_supplier_invoices(
        self,
        *,
        changed_from: dt.datetime | None = None,
        changed_to: dt.datetime | None = None,
        statuses: Sequence[str] | None = None,
        page: int = 1,
        per_page: int = 100,
        account: TechnicalAccount | None = None,
    ) -> SearchPage:
        """One page of the structure's issued invoices (factures/v1/rechercher/fournisseur)."""
        body: dict[str, Any] = {
            "rechercheFactureParFournisseur": {
                "pageResultatDemandee": page,
                "nbResultatsParPage": per_page,
            }
        }
        if changed_from is not None:
            body["periodeDateHeureEtatCourantDu"] = format_datetime(changed_from)
        if changed_to is not None:
            body["periodeDateHeureEtatCourantAu"] = format_datetime(changed_to)
        if statuses:
            body["statutCourant"] = list(statuses)
        try:
            answer = self._call(endpoints.SEARCH_SUPPLIER_INVOICES, body, account)
        except PortalBusinessError as exc:
            if exc.code == endpoints.CODE_NO_RESULT:
                return SearchPage.empty()
            raise
        try:
            return SearchPage.from_wire(answer)
        except UnreadableValue as exc:
            raise PortalProtocolError(str(exc)) from exc

    def iter_supplier_invoices(
        self,
        *,
        changed_from: dt.datetime | None = None,
        changed_to: dt.datetime | None = None,
        statuses: Sequence[str] | None = None,
        per_page: int = 100,
        account: TechnicalAccount | None = None,
        max_restarts: int = 3,
        cursor: PageCursor | None = None,
        max_pages: int | None = None,
    ) -> Iterator[InvoiceSummary | UnreadableInvoice]:
        """Every matching invoice, page after page, each (id, status, time) yielded once.

        Results that cannot be read come as UnreadableInvoice, for the caller to count. The
        window's end is pinned (default: the last whole minute) so changes made during the
        walk stay out of it; if the total still moves between pages, the walk restarts.
        With a `cursor`, the walk starts at its page and this turn stops after `max_pages`
        pages: the cursor tells where the next turn resumes, or that the walk is done. A turn
        that finds the count moved since the one before walks again from page 1.
        """
        changed_to = changed_to or window_end(self._clock())
        cursor = cursor or PageCursor()
        seen: set[tuple[int | None, str, dt.datetime | None]] = set()
        read = 0
        for walk in range(max_restarts + 1):
            first, shapes = cursor.page, set()
            for number, page, last in self._pages(
                changed_from, changed_to, statuses, per_page, account, first
            ):
                read += 1
                shapes.add((page.total, page.pages))
                if len(shapes) > 1 or (number == first > 1 and page.total != cursor.total):
                    break
                for invoice in page.invoices:
                    key = _identity(invoice)
                    if key not in seen:
                        seen.add(key)
                        yield invoice
                cursor.read(number, page.total, last)
                if last or (max_pages is not None and read >= max_pages):
                    return
            cursor.restart()
            log.info("portal result set moved during walk %d; walking again", walk + 1)
        # Pages moved under every walk: an invoice may have slipped between two of them.
        # Failing keeps the sync's watermark where it was; the next run walks again.
        raise PortalResultsUnstableError

    def _pages(
        self,
        changed_from: dt.datetime | None,
        changed_to: dt.datetime,
        statuses: Sequence[str] | None,
        per_page: int,
        account: TechnicalAccount | None,
        first: int = 1,
    ) -> Iterator[tuple[int, SearchPage, bool]]:
        """(number, page, last) until the last page: as `pages` says, or, without it, a short
        or empty page."""
        ids: set[int | None] = set()
        for number in range(first, MAX_PAGES + 1):
            page = self.search_supplier_invoices(
                changed_from=changed_from, changed_to=changed_to, statuses=statuses,
                page=number, per_page=per_page, account=account,
            )  # fmt: skip
            fresh = {_identity(invoice)[0] for invoice in page.invoices} - ids
            if page.invoices and not fresh:
                raise PortalProtocolError("le portail renvoie la même page de résultats")
            ids |= fresh
            last = number >= page.pages if page.pages is not None else len(page.invoices) < per_page
            yield number, page, last or not page.invoices
            if last or not page.invoices:
                return
        raise PortalProtocolError(f"plus de {MAX_PAGES} pages de résultats")

    def invoice_history(
        self, portal_id: int, *, account: TechnicalAccount | None = None
    ) -> InvoiceHistory:
        """Every dated status of one invoice (factures/v1/consulter/historique), all pages.

        Real clients ask for a size (Pastell: `nbResultatsMaximum`, 50) or send a paging
        block (go-choruspro: `paramRechercheHistoStatuts`); both are sent. Raises
        UnreadableValue when a status's date cannot be read.
        """
        pages: list[InvoiceHistory] = []
        for number in range(1, MAX_PAGES + 1):
            body = {
                "idFacture": portal_id,
                "nbResultatsMaximum": HISTORY_PAGE,
                "paramRechercheHistoStatuts": {
                    "nbResultatsParPageListeHistoStatut": HISTORY_PAGE,
                    "pageResultatDemandeeListeHistoStatut": number,
                },
            }
            answer = self._call(endpoints.INVOICE_HISTORY, body, account)
            page = InvoiceHistory.from_wire(answer, portal_id)
            fresh = [e for e in page.events if all(e not in p.events for p in pages)]
            pages.append(page)
            last = (
                number >= page.pages if page.pages is not None else len(page.events) < HISTORY_PAGE
            )
            if last or not fresh:
                return InvoiceHistory.merge(pages)
        raise PortalProtocolError(f"plus de {MAX_PAGES} pages d'historique")

    def consult_invoice(
        self, portal_id: int, *, account: TechnicalAccount | None = None
    ) -> InvoiceRecipient:
        """One issued invoice's recipient: names and postal address (consulter/fournisseur)."""
        body = {"identifiantFactureCPP": portal_id, "codeLangue": "FR"}
        answer = self._call(endpoints.CONSULT_SUPPLIER_INVOICE, body, account)
        return InvoiceRecipient.from_wire(answer)

    def consult_structure(
        self, structure_id: int, *, account: TechnicalAccount | None = None
    ) -> StructureInfo:
        """A structure's identity and directory flags (structures/v1/consulter)."""
        body = {"idStructureCPP": structure_id, "codeLangue": "FR"}
        answer = self._call(endpoints.CONSULT_STRUCTURE, body, account)
        return StructureInfo.from_wire(answer)

    def active_supplier_structures(
        self, *, account: TechnicalAccount | None = None
    ) -> list[ActiveStructure]:
        """The structures the technical account acts for (recuperer/structures/actives)."""
        answer = self._call(endpoints.ACTIVE_SUPPLIER_STRUCTURES, {}, account)
        return ActiveStructure.list_from_wire(answer)

    def _call(
        self, path: str, body: dict[str, Any], account: TechnicalAccount | None
    ) -> dict[str, Any]:
        account = account or self.account
        if account is None:
            raise ValueError("a technical account is needed for every portal call")
        try:
            result: dict[str, Any] = self.retry.retrying()(self._send, path, body, account)
        except RetryError as exc:
            last = exc.last_attempt.exception()
            reason = getattr(last, "reason", str(last))
            raise PortalUnavailableError(self.retry.attempts, reason) from last
        return result

    def _send(self, path: str, body: dict[str, Any], account: TechnicalAccount) -> dict[str, Any]:
        token = self._token()
        response = self._post(path, body, account, token)
        if _token_refused(response):
            # Tokens can die before their stated expiry: renew once and try again.
            self.tokens.invalidate(token)
            response = self._post(path, body, account, self._token())
            if _token_refused(response):
                raise PortalCredentialsError(
                    "La passerelle PISTE refuse un jeton d'accès qu'elle vient de délivrer."
                )
        return self._read(response)

    def _token(self) -> str:
        with _transport_errors():
            return self.tokens.get()

    def _post(
        self, path: str, body: dict[str, Any], account: TechnicalAccount, token: str
    ) -> httpx.Response:
        headers = {
            "Authorization": f"Bearer {token}",
            "cpro-account": account.header(),
            "Content-Type": "application/json;charset=utf-8",
            "Accept": "application/json",
        }
        self.gate.before_call()
        self.calls += 1
        try:
            with _transport_errors():
                response = self._http.post(
                    self.environment.api_base + path, json=body, headers=headers
                )
        except RetryableResponse:
            self.gate.after_call(None, None)
            raise
        status = response.status_code
        wait = None
        if status == 429 or status >= 500:
            wait = parse_retry_after(response.headers.get("Retry-After"), self._clock())
        self.gate.after_call(status, wait)
        return response

    def _read(self, response: httpx.Response) -> dict[str, Any]:
        status = response.status_code
        if status == 429 or status >= 500:
            retry_after = parse_retry_after(response.headers.get("Retry-After"), self._clock())
            raise RetryableResponse(f"HTTP {status}", retry_after)
        if status in (401, 403):
            raise _account_error(_json_or_empty(response))
        try:
            body = json.loads(response.content, parse_float=Decimal)
        except ValueError as exc:
            raise PortalProtocolError(f"HTTP {status}, corps non JSON") from exc
        if not isinstance(body, dict):
            raise PortalProtocolError(f"HTTP {status}, objet JSON attendu")
        code = int(body.get("codeRetour", 0) or 0)
        if code != 0 or status >= 400:
            raise PortalBusinessError(code, str(body.get("libelle") or ""), status)
        return body


@contextmanager
def _transport_errors() -> Iterator[None]:
    try:
        yield
    except httpx.TimeoutException as exc:
        raise RetryableResponse("délai de réponse dépassé") from exc
    except httpx.TransportError as exc:
        raise RetryableResponse("connexion impossible") from exc


def _token_refused(response: httpx.Response) -> bool:
    """The gateway's verdict on the Bearer token (RFC 6750 challenge), not on the account."""
    return (
        response.status_code == 401
        and "bearer" in response.headers.get("WWW-Authenticate", "").lower()
    )


def _json_or_empty(response: httpx.Response) -> dict[str, Any]:
    try:
        body = response.json()
    except ValueError:
        return {}
    return body if isinstance(body, dict) else {}


def _account_error(body: dict[str, Any]) -> TechnicalAccountError:
    libelle = str(body.get("libelle") or "").lower()
    code = body.get("codeRetour")
    if code == endpoints.CODE_PASSWORD_EXPIRED or "expir" in libelle:
        return TechnicalPasswordExpiredError()
    if code == endpoints.CODE_NOT_CONNECTED or "raccord" in libelle:
        return StructureNotConnectedError()
    return TechnicalAccountError()


def _identity(invoice: InvoiceSummary | UnreadableInvoice) -> tuple[int | None, str, Any]:
    if isinstance(invoice, UnreadableInvoice):
        return (invoice.portal_id, "?", invoice.reason)
    return (invoice.portal_id, invoice.status, invoice.status_changed_at)
