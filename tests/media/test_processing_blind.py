"""Blind copies: the jury gets the same sound, pages and pixels without the musician's name."""

import struct

import mutagen
import mutagen.flac
import soundfile
from pypdf import PdfReader

from qpmusic.enums import MediaKind
from tests.media import files
from tests.media.test_processing import blind_path, received, run


def test_blind_mp3_has_no_id3_tag_and_the_same_sound():
    sound = files.mp3_bytes(1.0)
    media = received(files.with_id3(sound, artist="Mia Sommer"), name="take.mp3")

    run(media)

    copy = blind_path(media)
    assert media.blind_key != media.storage_key
    assert mutagen.File(copy).tags is None
    assert copy.read_bytes() == sound


def test_blind_flac_has_no_vorbis_comments_and_no_pictures(tmp_path):
    path = files.write(tmp_path, "take.flac", files.flac_bytes(1.0))
    tagged = mutagen.File(path)
    tagged["artist"] = "Mia Sommer"
    picture = mutagen.flac.Picture()
    picture.data, picture.mime = files.png_bytes(), "image/png"
    tagged.add_picture(picture)
    tagged.save()
    media = received(path.read_bytes(), name="take.flac")

    run(media)

    copy = mutagen.File(blind_path(media))
    assert (copy.tags, copy.pictures) == (None, [])
    assert soundfile.info(str(blind_path(media))).frames == files.RATE


def test_blind_ogg_has_no_comments(tmp_path):
    path = files.write(tmp_path, "take.ogg", files.ogg_bytes(1.0))
    tagged = mutagen.File(path)
    tagged["artist"] = "Mia Sommer"
    tagged.save()
    media = received(path.read_bytes(), name="take.ogg")

    run(media)

    assert dict(mutagen.File(blind_path(media)).tags) == {}


def test_blind_m4a_has_no_tags(tmp_path):
    path = files.write(tmp_path, "take.m4a", files.mp4_bytes(b"soun", brand=b"M4A "))
    tagged = mutagen.File(path)
    tagged["\xa9ART"] = ["Mia Sommer"]
    tagged.save()
    media = received(path.read_bytes(), name="take.m4a")

    run(media)

    assert dict(mutagen.File(blind_path(media)).tags or {}) == {}


def test_blind_wav_loses_its_info_chunk_and_keeps_the_samples():
    plain = files.wav_bytes(1.0, channels=2)
    info = b"INFOIART" + struct.pack("<I", 11) + b"Mia Sommer\0\0"
    list_chunk = b"LIST" + struct.pack("<I", len(info)) + info
    tagged = plain[:4] + struct.pack("<I", len(plain) - 8 + len(list_chunk)) + plain[8:36]
    tagged += list_chunk + plain[36:]
    media = received(tagged)

    run(media)

    copy = blind_path(media).read_bytes()
    assert b"Mia Sommer" not in copy
    assert copy == plain


def test_blind_pdf_has_no_author_title_or_producer():
    media = received(files.pdf_bytes(2, author="Mia Sommer"), MediaKind.DOCUMENT, "score.pdf")

    run(media)

    copy = PdfReader(blind_path(media))
    assert not {"/Author", "/Title", "/Producer"} & set(copy.metadata or {})
    assert len(copy.pages) == 2
    assert b"Mia Sommer" not in blind_path(media).read_bytes()


def test_blind_images_lose_their_text_and_exif():
    png = received(files.png_bytes(text="Author\0Mia Sommer"), MediaKind.IMAGE, "photo.png")
    jpeg = received(files.jpeg_bytes(), MediaKind.IMAGE, "photo.jpg")

    run(png)
    run(jpeg)

    assert blind_path(png).read_bytes() == files.png_bytes(text=None)
    assert b"Mia Sommer" not in blind_path(jpeg).read_bytes()
    assert b"JFIF" in blind_path(jpeg).read_bytes()
