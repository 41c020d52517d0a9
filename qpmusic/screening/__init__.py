"""Coordinators screen submitted applications and build the shortlist."""
