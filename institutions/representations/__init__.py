"""Representations: the sitting president's collective demands and the brand's answers (models, service, views, API)."""
