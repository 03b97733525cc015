"""`python -m bench.inprocess`: a request's own cost, in process, without a server or a network.

The Flask test client reads the list's first page, an invoice detail, the Synthèse, the Tableau
de bord and a 304, 300 times each in five rounds, on a small SQLite database (one structure,
61 invoices), with the response cache on and off; it prints the best round's microseconds per
request. Run it in two checkouts to compare code changes: unlike `make bench`, no server, no
wrk, no drifting ceiling between them (the machine's own drift remains: interleave runs)."""

from __future__ import annotations

import tempfile
import time
from functools import partial

from backend import create_app
from backend.accounts.models import Role
from backend.config import Config
from backend.db import db
from backend.migrate import upgrade
from tests.factories import (
    PASSWORD,
    MembershipFactory,
    RecipientFactory,
    StructureFactory,
    UserFactory,
    at,
    make_invoice,
)

ROUNDS, REQUESTS = 5, 300
CODES = ["DEPOSEE", "SUSPENDUE", "REJETEE", "MANDATEE", "MISE_A_DISPOSITION"]


def _per_request(call: object) -> float:
    best = float("inf")
    for _ in range(ROUNDS):
        start = time.perf_counter()
        for _ in range(REQUESTS):
            call()  # type: ignore[operator]
        best = min(best, (time.perf_counter() - start) / REQUESTS * 1e6)
    return best


def main() -> None:
    folder = tempfile.mkdtemp()
    url = f"sqlite:///{folder}/relais.db"
    upgrade(url)

    def app_with(cache: bool):  # type: ignore[no-untyped-def]
        config = Config(
            instance_path=folder, database_url=url, secret_key="x" * 40, response_cache=cache
        )
        return create_app(config.resolved())

    app = app_with(True)
    with app.app_context():
        structure, recipient, user = StructureFactory(), RecipientFactory(), UserFactory()
        MembershipFactory(user=user, structure=structure, role=Role.MAIN_MANAGER)
        for i in range(61):
            history = [("DEPOSEE", at(1 + i % 20, month=9)), (CODES[i % 5], at(1 + i % 20))]
            invoice = make_invoice(structure, recipient, history)
        email, invoice_id = user.email, invoice.id
        db.session.remove()
    paths = {
        "first page": "/api/v1/invoices",
        "detail": f"/api/v1/invoices/{invoice_id}",
        "Synthèse": "/api/v1/summary",
        "Tableau de bord": "/api/v1/dashboard",
    }
    for label, cache in (("caches on ", True), ("caches off", False)):
        client = app_with(cache).test_client()
        login = {"email": email, "password": PASSWORD}
        token = client.post("/api/v1/auth/login", json=login).get_json()["access_token"]
        headers = {"Authorization": f"Bearer {token}", "Accept-Encoding": "gzip"}
        cost = {}
        for name, path in paths.items():
            assert client.get(path, headers=headers).status_code == 200, path
            cost[name] = _per_request(partial(client.get, path, headers=headers))
        etag = client.get(paths["first page"], headers=headers).headers["ETag"]
        revalidate = headers | {"If-None-Match": etag}
        cost["304"] = _per_request(partial(client.get, paths["first page"], headers=revalidate))
        print(label, "  ".join(f"{name} {micro:.0f} µs" for name, micro in cost.items()))


if __name__ == "__main__":
    main()
