"""Pages of the applications feature."""

from flask import Blueprint

bp = Blueprint("applications", __name__)
