"""Editions: one call of the prize, from draft to archive."""
