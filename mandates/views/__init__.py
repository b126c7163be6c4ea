"""The mandates HTML pages, one module per subject."""
