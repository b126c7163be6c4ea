"""A published annual report's inputs, frozen at publication (R.614-2: the report as published stays as published).

What the figures are computed from (one anonymous line per case: category, state, dates, country, mediator id), the
recommendations and the panel's mediators are stored with the publication; the published report is rebuilt from
them, so a case file purged at the end of its retention, a recommendation written later or a mediator renamed
changes nothing in it. Labels are still rendered in the reader's language.
"""
from __future__ import annotations

import json
from collections import namedtuple
from dataclasses import dataclass
from datetime import datetime

from mediation.models import CaseState

FORMAT = 1
ROW_FIELDS = ("CaseCategory", "state", "refusal_reason", "outcome_favours", "complied", "complainant_country",
              "filed_at", "opened_at", "closed_at", "mediator_id", "admissibility_late", "withdrawn_by")
MOMENTS = ("filed_at", "opened_at", "closed_at")
FrozenRow = namedtuple("FrozenRow", ROW_FIELDS)


@dataclass(frozen=True)
class FrozenCategory:
    """A case category as it was at publication (the label is rendered from key and name when read)."""

    id: int
    key: str
    name: str | None


@dataclass(frozen=True)
class FrozenMediator:
    """A panel mediator as named at publication, with their cross-border networks (R.614-2 7°)."""

    id: int
    name: str
    networks: str | None


def _moment(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def _row(row) -> dict:
    line = {name: getattr(row, name) for name in ROW_FIELDS[2:] if name not in MOMENTS}
    line.update({name: _moment(getattr(row, name)) for name in MOMENTS})
    category = row.CaseCategory
    line.update(category={"id": category.id, "key": category.key, "name": category.name}, state=row.state.value)
    return line


def freeze(rows: list, written: dict[int, list[str]], seated: list) -> str:
    """The report's inputs as one JSON document."""
    return json.dumps({
        "format": FORMAT,
        "rows": [_row(row) for row in rows],
        "recommendations": {str(key): texts for key, texts in written.items()},
        "mediators": [{"id": m.id, "name": m.name, "networks": m.networks} for m in seated],
    }, sort_keys=True, ensure_ascii=False)


def _thaw_row(line: dict, categories: dict[int, FrozenCategory]) -> FrozenRow:
    category = line["category"]
    frozen = categories.setdefault(category["id"], FrozenCategory(category["id"], category["key"], category["name"]))
    values = {name: line[name] for name in ROW_FIELDS[2:] if name not in MOMENTS}
    values.update({name: datetime.fromisoformat(line[name]) if line[name] else None for name in MOMENTS})
    return FrozenRow(CaseCategory=frozen, state=CaseState(line["state"]), **values)


def thaw(document: str) -> tuple[list[FrozenRow], dict[int, list[str]], list[FrozenMediator]]:
    """The inputs stored at publication: rows, recommendations by category id, mediators by name."""
    data = json.loads(document)
    categories: dict[int, FrozenCategory] = {}
    rows = [_thaw_row(line, categories) for line in data["rows"]]
    written = {int(key): texts for key, texts in data["recommendations"].items()}
    seated = [FrozenMediator(m["id"], m["name"], m["networks"]) for m in data["mediators"]]
    return rows, written, seated
