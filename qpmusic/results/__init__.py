"""Tally, finalists and awards."""
