"""JSON routes of the mediation pillar, under /api/v1."""
