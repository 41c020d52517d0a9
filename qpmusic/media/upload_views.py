"""The tus 1.0 endpoint and the plain form upload of a work's files."""

from flask import Blueprint

bp = Blueprint("uploads", __name__)
