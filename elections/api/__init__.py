"""JSON API of elections under /api/v1."""
