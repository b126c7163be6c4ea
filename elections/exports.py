"""The anonymized ballots, as CSV and as PrefLib, for anyone to recount (placeholder until preflib lands)."""
from __future__ import annotations
