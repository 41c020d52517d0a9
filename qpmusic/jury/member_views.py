"""Jury pages (being built)."""

from flask import Blueprint

bp = Blueprint("jury_members", __name__)
