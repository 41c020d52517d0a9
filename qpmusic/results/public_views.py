"""Results pages (being built)."""

from flask import Blueprint

bp = Blueprint("public_results", __name__)
