"""Jury pages (being built)."""

from flask import Blueprint

bp = Blueprint("jury_office", __name__)
