"""The summary pages show each work's files with players; the macro renders every kind."""

import re

import pytest
from flask import render_template_string

from qpmusic.enums import MediaKind, MediaStatus, Role
from qpmusic.extensions import db
from tests.factories import UserFactory, WorkFactory
from tests.media.playback import media_file, store

PEAKS = [0.0, 0.51234, 1.0, 0.25]


def render(media, blind=False):
    return render_template_string(
        '{% from "media/_player.html" import player %}{{ player(media, blind=blind) }}',
        media=media,
        blind=blind,
    )


def audio(work=None, **fields):
    return media_file(
        work,
        duration_seconds=252.4,
        loudness_lufs=-14.2,
        peaks=PEAKS,
        **fields,
    )


def test_player_of_audio_has_waveform_data_and_a_plain_fallback(app):
    media = audio()
    with app.test_request_context("/?lang=en"):
        html = render(media)

    src = f"/media/{media.public_id}"
    assert f'<audio class="player-media" controls preload="none" src="{src}"' in html
    assert "data-peaks='[0.0,0.512,1.0,0.25]'" in html
    assert 'data-duration="252.4"' in html
    assert 'data-loudness="-14.2"' in html
    assert 'role="slider"' in html and 'aria-valuemax="253"' in html
    assert 'aria-valuetext="0:00 of 4:12"' in html
    assert "Étude für Klang.wav" in html
    assert "player-match-input" in html
    assert "style=" not in html and "<script" not in html
    assert not re.search(r"\son[a-z]+=", html)


def test_player_without_peaks_is_the_browsers_own(app):
    media = media_file(duration_seconds=10.0)
    with app.test_request_context("/?lang=en"):
        html = render(media)

    assert "<audio" in html
    assert "player-controls" not in html
    assert "data-peaks" not in html


def test_player_in_blind_mode_hides_the_file_name(app):
    media = audio(original_name="Anna Weber - Study.wav")
    with app.test_request_context("/?lang=en"):
        html = render(media, blind=True)

    assert "Weber" not in html
    assert "Recording" in html


def test_player_of_video_has_metadata_preload_and_its_poster(app):
    media = media_file(kind=MediaKind.VIDEO, detected_type="video/mp4", poster_key=store(b"x"))
    with app.test_request_context("/?lang=en"):
        html = render(media)

    assert re.search(r'<video controls preload="metadata" src="/media/[^"]+"', html)
    assert f'poster="/media/{media.public_id}/poster"' in html


def test_player_of_a_pdf_links_to_it_inline_in_a_new_tab(app):
    media = media_file(
        kind=MediaKind.DOCUMENT, detected_type="application/pdf", original_name="Partitur.pdf"
    )
    with app.test_request_context("/?lang=en"):
        html = render(media)

    assert f'<a href="/media/{media.public_id}" target="_blank" rel="noopener">' in html
    assert "Open score (PDF): Partitur.pdf" in html


def test_player_of_an_image_is_an_image(app):
    media = media_file(kind=MediaKind.IMAGE, detected_type="image/png", original_name="foto.png")
    with app.test_request_context("/?lang=en"):
        html = render(media)

    assert f'<img src="/media/{media.public_id}" alt="Press photo" loading="lazy">' in html


def test_review_page_lists_the_owners_files_with_states_and_players(client, auth):
    work = WorkFactory()
    ready = audio(work)
    rejected = media_file(
        work, status=MediaStatus.REJECTED, rejection_code="corrupt", original_name="kaputt.flac"
    )
    work.application.applicant.language = "en"
    db.session.commit()
    auth.login(work.application.applicant.email)

    page = client.get(f"/applications/{work.application_id}/review").get_data(as_text=True)

    assert f'src="/media/{ready.public_id}"' in page
    assert f"/media/{rejected.public_id}" not in page
    assert "kaputt.flac · 9.8 kB" in page
    assert "This file is damaged or incomplete" in page
    assert "vendor/wavesurfer.js/wavesurfer.min.js" in page
    assert page.count("js/player.js") == 1


def test_review_page_without_files_loads_no_player_script(client, auth):
    work = WorkFactory()
    auth.login(work.application.applicant.email)

    page = client.get(f"/applications/{work.application_id}/review").get_data(as_text=True)

    assert "player.js" not in page


@pytest.mark.parametrize("lang", ["fr", "de"])
def test_review_page_with_players_renders_in_other_languages(client, auth, lang):
    work = WorkFactory()
    audio(work)
    work.application.applicant.language = lang
    db.session.commit()
    auth.login(work.application.applicant.email)

    response = client.get(f"/applications/{work.application_id}/review")

    assert response.status_code == 200
    assert f'<html lang="{lang}">' in response.get_data(as_text=True)


def test_screening_detail_shows_ready_files_only(client, auth):
    from tests.screening.builders import submitted

    application = submitted(WorkFactory().application.edition)
    work = application.works[0]
    ready = audio(work)
    processing = media_file(work, status=MediaStatus.PROCESSING, original_name="halb.wav")
    auth.login(UserFactory(role=Role.COORDINATOR).email)

    page = client.get(f"/screening/{application.id}").get_data(as_text=True)

    assert f'src="/media/{ready.public_id}"' in page
    assert "halb.wav" not in page
    assert processing.public_id not in page
