"""The letter claiming late-payment interest and the recovery indemnity, as text or PDF."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from fpdf import FPDF
from fpdf.enums import XPos, YPos

from backend.payments.formatting import format_date, format_days, format_eur
from backend.payments.interest import RECOVERY_INDEMNITY, InterestResult
from backend.payments.interruption import NEW_PERIOD_DAYS, Interruption

# Debian's fonts-dejavu-core: a free TTF font with every French character and the
# no-break spaces of French typography, which the PDF core fonts lack.
DEJAVU_DIR = Path("/usr/share/fonts/truetype/dejavu")
FONT_FILES = {"": "DejaVuSans.ttf", "B": "DejaVuSans-Bold.ttf"}


class FontNotFoundError(RuntimeError):
    """The TTF font needed to render French text in a PDF is missing."""


@dataclass(frozen=True)
class ClaimData:
    """What the letter needs to know about the supplier, the recipient and the invoice."""

    supplier_name: str
    supplier_address: str
    supplier_siret: str
    recipient_name: str
    invoice_number: str
    invoice_date: dt.date
    invoice_amount: Decimal | None  # TTC; the amount to pay is the interest's principal
    period_start: dt.date
    period_days: int
    period_reference: str  # « article R2192-10 du Code de la commande publique »
    due_date: dt.date
    payment_date: dt.date | None
    interest: InterestResult
    letter_date: dt.date
    interruption: Interruption | None = None
    recipient_address: str = ""
    recipient_service: str = ""  # the service exécutant's name, when the invoice names one
    place: str = ""


@dataclass(frozen=True)
class Letter:
    """A letter in blocks, so that the text and the PDF say exactly the same thing."""

    sender: tuple[str, ...]
    recipient: tuple[str, ...]
    dateline: str
    subject: str
    paragraphs: tuple[str, ...]
    steps: tuple[str, ...]
    closing: tuple[str, ...]


def format_siret(siret: str) -> str:
    """Group a SIRET as SIREN + NIC: « 123 456 789 00012 »."""
    digits = "".join(siret.split())
    if len(digits) != 14:
        return siret
    return f"{digits[:3]} {digits[3:6]} {digits[6:9]} {digits[9:]}"


def _interruption(interruption: Interruption | None) -> str:
    """The sentence on the buyer's interruption of the period (R2192-27 to R2192-29)."""
    if interruption is None or interruption.end is None:
        return ""
    length = format_days(interruption.new_days)
    if interruption.new_days > NEW_PERIOD_DAYS:
        length += ", égal au solde qui restait à courir,"
    return (
        f" Vous avez interrompu ce délai le {format_date(interruption.start)} pour nous "
        "demander des pièces (article R2192-27 du même code) ; elles vous sont parvenues le "
        f"{format_date(interruption.end)}, date à laquelle un nouveau délai de {length} s'est "
        "ouvert (article R2192-29)."
    )


def _amounts(data: ClaimData) -> str:
    """The invoice's amount TTC and, apart, the amount to pay on which interest runs."""
    invoice = f"facture n° {data.invoice_number} du {format_date(data.invoice_date)}"
    to_pay = format_eur(data.interest.principal)
    if data.payment_date is None:
        base, runs = "le montant restant à payer", f"courent les intérêts, est de {to_pay}."
    else:
        base, runs = "le montant à payer", f"ont couru les intérêts, était de {to_pay}."
    if data.invoice_amount is None:
        return f"{base.capitalize()} de notre {invoice}, sur lequel {runs}"
    amount = format_eur(data.invoice_amount)
    return f"Notre {invoice} s'élève à {amount} TTC ; {base}, sur lequel {runs}"


def _facts(data: ClaimData) -> str:
    period = (
        f"{_amounts(data)} Cette facture relève d'un délai de paiement de "
        f"{format_days(data.period_days)} ({data.period_reference}), qui a couru à compter "
        f"du {format_date(data.period_start)}.{_interruption(data.interruption)} La facture "
        f"devait donc être payée au plus tard le {format_date(data.due_date)}."
    )
    delay = format_days(data.interest.days_late)
    if data.payment_date is None:
        return f"{period} Elle reste non payée à ce jour, soit {delay} de retard."
    return f"{period} Elle a été mise en paiement le {format_date(data.payment_date)}, " + (
        f"soit avec {delay} de retard."
    )


LEGAL_BASIS = (
    "En application de l'article L2192-13 du Code de la commande publique, ce retard fait "
    "courir, de plein droit et sans autre formalité, des intérêts moratoires au taux de la "
    "Banque centrale européenne majoré de huit points (article R2192-31), et donne droit à "
    "une indemnité forfaitaire pour frais de recouvrement de 40 euros (article D2192-35)."
)


def _request(data: ClaimData) -> str:
    result = data.interest
    if data.payment_date is not None:
        return (
            f"Nous vous remercions de bien vouloir nous verser la somme de "
            f"{format_eur(result.total)}, soit {format_eur(result.interest)} au titre des "
            f"intérêts moratoires et {format_eur(RECOVERY_INDEMNITY)} au titre de l'indemnité "
            "forfaitaire, dans les 45 jours suivant la mise en paiement du principal "
            "(article R2192-36)."
        )
    return (
        "Nous vous remercions de bien vouloir procéder sans tarder au paiement de cette facture. "
        f"Arrêtés au {format_date(result.end_date)}, les intérêts moratoires s'élèvent à "
        f"{format_eur(result.interest)} ; ils courent jusqu'à la mise en paiement du principal. "
        f"Avec l'indemnité forfaitaire de {format_eur(RECOVERY_INDEMNITY)}, la somme due "
        f"s'élève à ce jour à {format_eur(result.total)}, à nous verser dans les 45 jours "
        "suivant la mise en paiement du principal (article R2192-36)."
    )


def build_letter(data: ClaimData) -> Letter:
    """Compose the claim letter; refuse when nothing was to pay or it was not paid late."""
    if data.interest.principal <= 0:
        raise ValueError("Nothing to pay: no period runs, there is nothing to claim.")
    if not data.interest.is_late:
        raise ValueError("No delay: there is no late-payment interest to claim.")
    place = f"{data.place}, le" if data.place else "Le"
    service = (f"Service : {data.recipient_service}",) if data.recipient_service else ()
    return Letter(
        sender=(
            data.supplier_name,
            *data.supplier_address.strip().splitlines(),
            f"SIRET : {format_siret(data.supplier_siret)}",
        ),
        recipient=(
            data.recipient_name,
            *service,
            *data.recipient_address.strip().splitlines(),
        ),
        dateline=f"{place} {format_date(data.letter_date)}",
        subject=(
            "Objet : demande de paiement des intérêts moratoires et de l'indemnité forfaitaire "
            f"pour frais de recouvrement – facture n° {data.invoice_number} "
            f"du {format_date(data.invoice_date)}"
        ),
        paragraphs=("Madame, Monsieur,", _facts(data), LEGAL_BASIS),
        steps=data.interest.steps,
        closing=(
            _request(data),
            "Nous restons à votre disposition pour tout renseignement complémentaire et vous "
            "prions d'agréer, Madame, Monsieur, l'expression de nos salutations distinguées.",
            data.supplier_name,
        ),
    )


def letter_text(data: ClaimData) -> str:
    """Render the claim letter as plain text."""
    letter = build_letter(data)
    blocks = [
        "\n".join(letter.sender),
        "\n".join(letter.recipient),
        letter.dateline,
        letter.subject,
        *letter.paragraphs,
        "Le détail du calcul est le suivant :\n" + "\n".join(f"– {s}" for s in letter.steps),
        *letter.closing,
    ]
    return "\n\n".join(blocks) + "\n"


def _pdf_with_fonts(font_dir: Path) -> FPDF:
    """Create an A4 document with the DejaVu fonts, or say clearly which package is missing."""
    missing = [name for name in FONT_FILES.values() if not (font_dir / name).is_file()]
    if missing:
        raise FontNotFoundError(
            f"Missing {', '.join(missing)} in {font_dir}: install the Debian package "
            "fonts-dejavu-core (apt-get install fonts-dejavu-core)."
        )
    pdf = FPDF(format="A4")
    for style, name in FONT_FILES.items():
        pdf.add_font("DejaVu", style, str(font_dir / name))
    pdf.set_margins(20, 20, 20)
    pdf.set_auto_page_break(True, margin=20)
    pdf.set_lang("fr")
    return pdf


def _paragraph(pdf: FPDF, text: str, *, indent: float = 0, gap: float = 3) -> None:
    pdf.set_x(pdf.l_margin + indent)
    pdf.multi_cell(0, 5, text, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.ln(gap)


def letter_pdf(data: ClaimData, font_dir: Path = DEJAVU_DIR) -> bytes:
    """Render the claim letter as a PDF document."""
    letter = build_letter(data)
    pdf = _pdf_with_fonts(font_dir)
    pdf.set_title(letter.subject.removeprefix("Objet : ").capitalize())
    pdf.set_author(data.supplier_name)
    pdf.add_page()
    pdf.set_font("DejaVu", size=10)
    _paragraph(pdf, "\n".join(letter.sender), gap=6)
    # The recipient's block sits on the right, where a window envelope shows it.
    _paragraph(pdf, "\n".join(letter.recipient), indent=95, gap=6)
    pdf.multi_cell(0, 5, letter.dateline, align="R", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.ln(6)
    pdf.set_font("DejaVu", "B", 10)
    _paragraph(pdf, letter.subject, gap=5)
    pdf.set_font("DejaVu", size=10)
    for text in letter.paragraphs:
        _paragraph(pdf, text)
    _paragraph(pdf, "Le détail du calcul est le suivant :", gap=1)
    for step in letter.steps:
        _paragraph(pdf, f"– {step}", indent=5, gap=1)
    pdf.ln(2)
    for text in letter.closing:
        _paragraph(pdf, text)
    return bytes(pdf.output())
