"""HTML routes of the mediation pillar."""
