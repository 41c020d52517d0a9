"""Pages of the screening feature."""

from flask import Blueprint

bp = Blueprint("screening", __name__)
