"""Results pages (being built)."""

from flask import Blueprint

bp = Blueprint("finalists", __name__)
