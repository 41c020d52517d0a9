"""Pages of the editions feature."""

from flask import Blueprint

bp = Blueprint("editions", __name__)
