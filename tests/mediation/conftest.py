"""The mediation tests' fixtures: `panel` (a brand with mediators on its panel) and `case_scene` (a case in a state).

pytest finds fixtures defined or imported in a conftest.py, so test files ask for them by argument only; the
plain helpers (file_case, insert_case, PDF, PNG...) are still imported by name where they are used.
"""
from tests.mediation.exchange_fixtures import case_scene
from tests.mediation.filing_fixtures import panel

__all__ = ["case_scene", "panel"]
