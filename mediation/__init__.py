"""Mediation cases between a brand and its community: the roster, filing, admissibility, the exchange, the outcome."""
