"""Streaming a work's files to the people allowed to hear, see or read them."""

from flask import Blueprint

bp = Blueprint("media", __name__)
