"""Results pages (being built)."""

from flask import Blueprint

bp = Blueprint("ballot", __name__)
