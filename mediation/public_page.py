"""What the public mediator page of a brand shows beside the panel (R.614-1), for the page and the API."""
from __future__ import annotations

from institutions.api_support import iso
from institutions.models import Brand
from mediation import roster
from mediation.admissibility import REFUSAL_REASONS


def page_context(brand: Brand) -> dict:
    """Past seats and why they ended, the legal references, the refusal grounds of L.612-2, who pays."""
    return {"former_seats": roster.former_seats(brand), "payers": roster.PAYERS, "reason_label": roster.reason_label,
            "legal_references": roster.LEGAL_REFERENCES, "refusal_grounds": REFUSAL_REASONS,
            "ec_list_url": roster.EC_LIST_URL}


def panel_document(brand: Brand) -> dict:
    """The panel as the public API gives it: each mediator as R.614-1 lists them, past seats, the law, the grounds."""
    return {"items": [{**roster.public_entry(s.mediator), "appointed_at": iso(s.appointed_at)}
                      for s in roster.panel_of(brand)],
            "former": [{"name": s.mediator.name, "ended_at": iso(s.ended_at), "reason": s.end_reason,
                        "reason_label": roster.reason_label(s.end_reason), "note": s.end_note}
                       for s in roster.former_seats(brand)],
            "legal_references": list(roster.LEGAL_REFERENCES),
            "refusal_grounds": {key: str(label) for key, label in REFUSAL_REASONS.items()}}
