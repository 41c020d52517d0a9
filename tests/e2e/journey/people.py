"""Who takes part in the journey, in which language, and how they reach the site."""

import io
import math
import struct
import time
import wave

from flask_babel import force_locale, gettext, ngettext
from playwright.sync_api import expect
from pypdf import PdfWriter

from tests.conftest import PASSWORD

LOCALES = {"de": "de-DE", "fr": "fr-FR", "en": "en-GB"}
ADMIN = ("office@quattropole.example.org", "Office Esch-sur-Alzette")
COORDINATOR = ("claire.coord@example.org", "Claire Coordinatrice", "fr")
# de, fr, en names, country, latitude, longitude (as the network's seeds say).
CITIES = (
    ("Luxemburg", "Luxembourg", "Luxembourg", "LU", "49.6116", "6.1319"),
    ("Metz", "Metz", "Metz", "FR", "49.1193", "6.1757"),
    ("Saarbrücken", "Sarrebruck", "Saarbrücken", "DE", "49.2354", "6.9969"),
    ("Trier", "Trèves", "Trier", "DE", "49.7557", "6.6394"),
)
# Two jurors per city: name, e-mail, the city's English name, language.
JURORS = (
    ("Anouk Weber", "anouk@jury.example.org", "Luxembourg", "fr"),
    ("Jean Hoffmann", "jean@jury.example.org", "Luxembourg", "de"),
    ("Camille Fournier", "camille@jury.example.org", "Metz", "fr"),
    ("Lucas Martin", "lucas@jury.example.org", "Metz", "en"),
    ("Greta Schmitt", "greta@jury.example.org", "Saarbrücken", "de"),
    ("Jonas Becker", "jonas@jury.example.org", "Saarbrücken", "en"),
    ("Maria Klein", "maria@jury.example.org", "Trier", "de"),
    ("Tom Wagner", "tom@jury.example.org", "Trier", "en"),
)


class Musician:
    """An applicant: who they are, where they are from, their work and its pitch."""

    def __init__(self, *, name, email, language, artist, place, basis, work, pitch):
        self.name, self.email, self.language = name, email, language
        self.artist, self.place, self.basis = artist, place, basis
        self.work, self.pitch = work, pitch
        self.reference = None


MUSICIANS = (
    Musician(
        name="Jonas Raumklang",
        email="jonas.raumklang@example.org",
        language="de",
        artist="Raumklang Kollektiv",
        place=("Saarlouis", "Saarlouis (DE)"),
        basis="lives",
        work="Grenzgänge",
        pitch=330,
    ),
    Musician(
        name="Léa Moselle",
        email="lea.moselle@example.org",
        language="fr",
        artist="Moselle Drones",
        place=("Thionv", "Thionville (FR)"),
        basis="lives",
        work="Confluences",
        pitch=440,
    ),
    Musician(
        name="Sam Feedback",
        email="sam.feedback@example.org",
        language="en",
        artist="Feedback Choir",
        place=("Esch-sur", "Esch-sur-Alzette (LU)"),
        basis="works",
        work="Loops for Four Cities",
        pitch=550,
    ),
)


def t(language: str, msgid: str, **values) -> str:
    """``msgid`` as the page shows it in ``language``."""
    with force_locale(language):
        return gettext(msgid, **values)


def tn(language: str, singular: str, plural: str, num: int) -> str:
    with force_locale(language):
        return ngettext(singular, plural, num)


def new_page(browser, inspector, live_server, language: str, *, phone: bool = False):
    """A fresh browser (own cookies) in ``language``, at desktop or phone size."""
    size = {"width": 390, "height": 844} if phone else {"width": 1280, "height": 800}
    options = {"is_mobile": True, "has_touch": True, "device_scale_factor": 2} if phone else {}
    context = browser.new_context(
        base_url=live_server, viewport=size, locale=LOCALES[language], **options
    )
    page = context.new_page()
    page.set_default_timeout(15000)
    inspector.watch(page)
    return page


def mail_to(mailbox, address: str, count: int = 1) -> list:
    """The first ``count`` e-mails to ``address``, waiting for them to arrive."""
    deadline = time.monotonic() + 20
    while len(mailbox.to(address)) < count and time.monotonic() < deadline:
        time.sleep(0.05)
    messages = mailbox.to(address)
    assert len(messages) >= count, f"{address} got {len(messages)} e-mails, not {count}"
    return messages[:count]


def log_in(page, email: str) -> None:
    page.goto("/login")
    page.locator("#email").fill(email)
    page.locator("#password").fill(PASSWORD)
    page.locator("main form button[type=submit]").click()
    expect(page.locator("form[action='/logout']")).to_be_attached()


def recording(path, pitch: int, seconds: int = 6) -> None:
    """A mono WAV at ``pitch`` Hz that swells and fades, written with ``wave``."""
    rate = 8000
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(rate)
        out.writeframes(
            b"".join(
                struct.pack(
                    "<h",
                    int(
                        20000
                        * (0.3 + 0.6 * abs(math.sin(n / rate)))
                        * math.sin(2 * math.pi * pitch * n / rate)
                    ),
                )
                for n in range(seconds * rate)
            )
        )


def score_pdf(path, title: str) -> None:
    """A two-page PDF with a title, as a score would be."""
    writer = PdfWriter()
    for _ in range(2):
        writer.add_blank_page(width=595, height=842)
    writer.add_metadata({"/Title": title})
    buffer = io.BytesIO()
    writer.write(buffer)
    path.write_bytes(buffer.getvalue())
