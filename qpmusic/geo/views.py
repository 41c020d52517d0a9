"""Pages of the geo feature."""

from flask import Blueprint

bp = Blueprint("geo", __name__)
