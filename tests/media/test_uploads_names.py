"""Display names of uploaded files: sanitized, never a path; the kind a name suggests."""

import pytest
from sqlalchemy import select

from qpmusic.enums import MediaKind
from qpmusic.extensions import db
from qpmusic.media.models import MediaUpload
from qpmusic.media.names import BadName, declared_kind, display_name


@pytest.mark.parametrize(
    ("raw", "shown"),
    [
        ("Nachtstück.wav", "Nachtstück.wav"),
        ("../../etc/passwd.wav", "passwd.wav"),
        ("..\\..\\Windows\\take.flac", "take.flac"),
        ("C:\\Users\\mia\\Desktop\\Étude 3.mp3", "Étude 3.mp3"),
        ("/var/tmp/./mix.ogg", "mix.ogg"),
        ("ta\x00ke\n.wav", "take.wav"),
        ("score\u202egpj.pdf", "scoregpj.pdf"),
        ("  two   spaces  .wav", "two spaces .wav"),
        ("Nachtstu\u0308ck.wav", "Nachtstück.wav"),
        (".hidden.wav", "hidden.wav"),
    ],
)
def test_display_name_keeps_only_a_printable_last_part(raw, shown):
    assert display_name(raw) == shown


@pytest.mark.parametrize("raw", ["", None, "   ", "..", "../", "a/b/", "\x00\x01", "...", "\u200b"])
def test_display_name_with_nothing_left_is_refused(raw):
    with pytest.raises(BadName) as refused:
        display_name(raw)

    assert refused.value.code == "bad_name"


def test_a_300_character_name_is_cut_to_255_keeping_the_extension():
    shown = display_name("a" * 296 + ".wav")

    assert len(shown) == 255
    assert shown == "a" * 251 + ".wav"


def test_a_300_character_name_without_extension_is_cut_to_255():
    assert display_name("b" * 300) == "b" * 255


def test_a_long_name_with_a_long_suffix_is_cut_plainly():
    assert display_name("c" * 280 + ".thisisnotanextension") == "c" * 255


def test_nfc_normalisation_counts_characters_not_code_points():
    shown = display_name("u\u0308" * 300 + ".wav")

    assert shown == "ü" * 251 + ".wav"


@pytest.mark.parametrize(
    ("name", "filetype", "kind"),
    [
        ("take.WAV", "", MediaKind.AUDIO),
        ("take.flac", "application/octet-stream", MediaKind.AUDIO),
        ("film.webm", "", MediaKind.VIDEO),
        ("score.pdf", "", MediaKind.DOCUMENT),
        ("photo.jpeg", "", MediaKind.IMAGE),
        ("recording", "audio/mpeg", MediaKind.AUDIO),
        ("clip", "video/mp4", MediaKind.VIDEO),
        ("notes.txt", "text/plain", None),
        ("noextension", "", None),
    ],
)
def test_declared_kind_comes_from_the_extension_then_the_type(name, filetype, kind):
    assert declared_kind(name, filetype) == kind


def test_an_upload_named_with_a_path_is_stored_under_its_last_part(tus):
    response = tus.create(1000, filename="../../../etc/cron.d/take.wav")

    assert response.status_code == 201
    upload = db.session.scalars(select(MediaUpload)).one()
    assert upload.filename == "take.wav"
    assert "take" not in upload.storage_key
    assert ".." not in upload.storage_key


def test_an_upload_named_with_300_characters_keeps_255(tus):
    response = tus.create(1000, filename="x" * 296 + ".wav")

    assert response.status_code == 201
    assert db.session.scalars(select(MediaUpload.filename)).one() == "x" * 251 + ".wav"


def test_an_upload_whose_name_is_only_a_path_is_refused(tus):
    response = tus.create(1000, filename="../")

    assert response.status_code == 422
    assert response.headers["X-QPMusic-Error"] == "bad_name"
    assert db.session.scalars(select(MediaUpload)).all() == []
