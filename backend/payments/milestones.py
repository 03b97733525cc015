"""What the portal's statuses tell the payment rule: receipt, interruption, payment order, payment.

Each set names the statuses that prove one legal fact (Code de la commande publique). The
facts are documented ones; which statuses carry them is our reading of the portal, said below.
"""

from __future__ import annotations

from backend.invoices.statuses import Category, status_info

# R2192-15: an invoice sent through the portal is received on the day the buyer is told it is
# available there, which the portal reports as MISE_A_DISPOSITION (reform code 203).
AVAILABLE = "MISE_A_DISPOSITION"
# The payment request itself: its deposit and its routing (reform codes 200 and 201). When
# availability is never reported, R2192-14 dates the receipt two days after the request.
REQUESTED = frozenset({"DEPOSEE", "EN_COURS_ACHEMINEMENT"})
PRESUMED_RECEIPT_DAYS = 2
# Reform codes 224 to 228 (direct payment request, factoring, change of payee) come from the
# supplier's side: they say nothing of what the buyer holds or has received.
SUPPLIER_SIDE = frozenset({"224", "225", "226", "227", "228"})
# Statuses set before the buyer holds the invoice, or not by the buyer: any other status
# shows the buyer had the invoice by then.
BEFORE_RECEIPT = REQUESTED | SUPPLIER_SIDE | {"BROUILLON"}
# R2192-28: the interruption is notified with the reasons and the documents to supply; on the
# portal the buyer suspends the invoice with a comment. A_COMPLETER (works invoices) shares
# the reform's code 208 (Suspendue) with SUSPENDUE.
DOCUMENTS_REQUESTED = frozenset({"SUSPENDUE", "A_COMPLETER"})
# R2192-29: the new period opens when the documents are received: COMPLETEE (reform code 209).
# When the buyer never reports it, any later processing or payment status shows it had them.
DOCUMENTS_RECEIVED = "COMPLETEE"
_RESUMING = frozenset({Category.IN_PROGRESS, Category.PAID})
# R2192-27: a buyer with a public accountant may interrupt the period only before the payment
# order (« ordonnancement »). MANDATEE is that order (the « mandat » of public accounting); the
# accountant's later steps come after it. Reform code 205 (Approuvée) is left out: the reform
# maps both SERVICE_FAIT, which comes before the order, and MANDATEE to it.
PAYMENT_ORDER = frozenset({"MANDATEE", "MISE_A_DISPOSITION_COMPTABLE", "COMPTABILISEE"})
# Interest runs until the payment (« mise en paiement »). Reform code 212 (Encaissée) comes
# after the release of funds: it is used only when MISE_EN_PAIEMENT never came.
PAID = "MISE_EN_PAIEMENT"
CASHED = "212"


def documents_received(code: str) -> bool:
    """Whether this status, after a request for documents, shows the buyer has them."""
    if code == DOCUMENTS_RECEIVED:
        return True
    info = status_info(code)
    return info is not None and info.category in _RESUMING and code not in BEFORE_RECEIPT


def closes_unpaid(code: str) -> bool:
    """A final status that is not a payment: the buyer will not pay this invoice (refused,
    rejected, cancelled, replaced…), so no payment period runs for it."""
    info = status_info(code)
    return info is not None and info.final and info.category is not Category.PAID
