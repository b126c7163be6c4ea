"""A brand, its signatory, a future ambassador, and a mandate taken through the contract services.

The `contract_scene` fixture (tests/mandates/conftest.py) builds one at T0.
"""
from __future__ import annotations

import copy
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone

from extensions import db
from institutions import clock
from institutions.models import Brand, User
from mandates import contracts, ending
from mandates.models import Mandate

STARTS = date(2027, 3, 10)
ENDS = date(2027, 8, 31)
LEGAL_NAME = "Élodie Martin"
CODE_OF_CONDUCT = ("Be honest: speak only of what you know of the products, make no claim the brand cannot prove, respect the people you address, never aim commercial content at minors, disclose the commercial relationship in every publication and follow the rules of each platform.")


def complete_clauses(**overrides) -> dict:
    """Every mandatory clause filled in, for an adult living in France (a clause given as None is dropped)."""
    clauses = {
        "brand_party": {"legal_name": "Acme SAS", "postal_address": "1 rue de la Paix, 75002 Paris",
                        "email": "legal@acme.test", "tax_country": "FR"},
        "ambassador_party": {"legal_name": LEGAL_NAME, "birth_date": "1995-04-12",
                             "postal_address": "3 quai des Brumes, 69001 Lyon", "email": "elodie@example.test",
                             "residence_country": "FR", "tax_country": "FR"},
        "missions": {"nature": "Show the repair kits in videos", "scope": "Repair kits, France",
                     "channels": "YouTube, Instagram", "audiences": ["FR"]},
        "powers": {"text": "Present the products and the brand's public prices; nothing else."},
        "compensation": {"kind": "money", "amount": "250", "currency": "EUR", "schedule": "monthly, on the 5th"},
        "intellectual_property": {"scope": "The brand may repost the videos on its own accounts",
                                  "duration_months": 12},
        "governing_law": {"law": "FR", "jurisdiction": "Tribunal judiciaire de Paris"},
        "term": {"starts_on": STARTS.isoformat(), "ends_on": ENDS.isoformat(), "renewal": "No tacit renewal."},
        "termination": {"conditions": "Either party, with notice.", "notice_days": 30},
        "takedown": {"text": "Remove within 7 days on request."},
        "disclosure": {"label": "#ad", "employee": False},
        "code_of_conduct": {"text": CODE_OF_CONDUCT},
    }
    for key, fields in overrides.items():
        if fields is None:
            clauses.pop(key, None)
        else:
            clauses[key] = {**clauses.get(key, {}), **fields}
    return copy.deepcopy(clauses)


@dataclass
class ContractScene:
    """brand (slug acme), signer (staff with signing rights), clerk (staff without), ambassador (a member)."""

    brand: Brand
    signer: User
    clerk: User
    ambassador: User

    def at(self, moment: datetime) -> None:
        """Move the clock and let mandates follow their dates."""
        clock.freeze(moment)
        ending.advance_due(moment)
        db.session.commit()

    def draft(self, **overrides) -> Mandate:
        mandate = contracts.start_mandate(self.brand, self.clerk, ambassador=self.ambassador)
        contracts.update_draft(mandate, self.clerk, complete_clauses(**overrides))
        db.session.commit()
        return mandate

    def offered(self, **overrides) -> Mandate:
        mandate = self.draft(**overrides)
        contracts.offer(mandate, self.clerk)
        db.session.commit()
        return mandate

    def sign(self, mandate: Mandate, name: str = LEGAL_NAME) -> None:
        contracts.sign(mandate, self.ambassador, name, accept=True, ip_address="192.0.2.7", user_agent="pytest")
        db.session.commit()

    def countersign(self, mandate: Mandate) -> None:
        contracts.countersign(mandate, self.signer, self.signer.display_name, ip_address="192.0.2.8",
                              user_agent="pytest")
        db.session.commit()

    def in_force(self, **overrides) -> Mandate:
        mandate = self.offered(**overrides)
        self.sign(mandate)
        self.countersign(mandate)
        return mandate

    def active(self, **overrides) -> Mandate:
        mandate = self.in_force(**overrides)
        self.at(datetime.combine(STARTS, datetime.min.time(), tzinfo=timezone.utc) + timedelta(hours=9))
        return mandate
