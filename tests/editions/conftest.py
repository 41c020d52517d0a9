"""Shared set-up for the edition tests: a logged-in admin and a valid edition form."""

import re

import pytest

from qpmusic.enums import Role
from tests.factories import UserFactory


@pytest.fixture
def admin(auth):
    user = UserFactory(email="office@example.org", role=Role.ADMIN, name="Office", language="en")
    auth.login("office@example.org")
    return user


def edition_form(**overrides) -> dict:
    """What the admin types for a 2031 edition (times in Luxembourg)."""
    return {
        "year": "2031",
        "title_de": "QuattroPole Musikpreis 2031",
        "title_fr": "Prix de musique QuattroPole 2031",
        "title_en": "QuattroPole Music Prize 2031",
        "rules_de": "Regeln.",
        "rules_fr": "Règles.",
        "rules_en": "Rules.",
        "opens_on": "2031-01-15",
        "opens_time": "10:00",
        "closes_on": "2031-07-31",
        "closes_time": "23:59",
        "max_works": "3",
        "work_age_limit": "5",
        "radius_km": "50",
        "prize_amount": "10000",
        "finalists_count": "4",
        **overrides,
    }


def criterion_form(**overrides) -> dict:
    return {
        "label_de": "Originalität",
        "label_fr": "Originalité",
        "label_en": "Originality",
        "help_de": "",
        "help_fr": "",
        "help_en": "",
        "weight": "2",
        "scale_min": "0",
        "scale_max": "10",
        "scale_step": "0.5",
        **overrides,
    }


def input_value(page: str, name: str) -> str:
    """The value attribute of the input called ``name`` in an HTML page."""
    tag = re.search(rf'<input[^>]*\bname="{name}"[^>]*>', page).group(0)
    return re.search(r'\bvalue="([^"]*)"', tag).group(1)
