"""A musician uploads with the page's uploader: progress, pause, resume, reload, ready, play."""

import math
import struct
import wave

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from qpmusic.enums import MediaKind, MediaStatus
from qpmusic.extensions import db
from qpmusic.media.models import MediaFile, MediaUpload
from tests.conftest import PASSWORD
from tests.e2e.axe import assert_accessible
from tests.factories import ApplicationFactory, UserFactory, WorkFactory
from tests.media.files import wav_bytes

pytestmark = pytest.mark.browser

RATE = 22050


def write_wav(path, seconds: int = 4) -> None:
    """A mono 440 Hz sine written with the standard ``wave`` module."""
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(RATE)
        out.writeframes(
            b"".join(
                struct.pack("<h", int(0.5 * 32767 * math.sin(2 * math.pi * 440 * n / RATE)))
                for n in range(seconds * RATE)
            )
        )


def open_work_page(browser, live_server, problems):
    musician = UserFactory(email="mia@example.org", name="Mia Sommer", language="en")
    work = WorkFactory(application=ApplicationFactory(applicant=musician), title="Moselklang")
    db.session.commit()
    context = browser.new_context(base_url=live_server, viewport={"width": 1100, "height": 900})
    page = context.new_page()
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda error: problems.append(str(error)))
    page.goto("/login")
    page.get_by_label("E-mail address").fill(musician.email)
    page.locator("#password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.goto(f"/applications/{work.application_id}/works/{work.id}")
    return context, page, work


def test_a_recording_uploads_with_progress_becomes_ready_and_plays(
    browser, live_server, screens, tmp_path
):
    recording = tmp_path / "Moselklang (take 2).wav"
    write_wav(recording)
    problems = []
    context, page, work = open_work_page(browser, live_server, problems)
    page.on("response", lambda r: problems.append(r.url) if r.status >= 400 else None)
    shots = screens(page)
    expect(page.get_by_text("No files yet.")).to_be_visible()
    # With JavaScript the uploader starts on choosing a file; the plain button goes away.
    expect(page.get_by_role("button", name="Upload", exact=True)).to_be_hidden()

    page.get_by_label("File", exact=True).set_input_files(recording)

    progress = page.locator(".upload-progress progress")
    expect(progress).to_have_attribute("value", "100")
    expect(page.locator(".upload-percent")).to_have_text("100%")
    row = page.locator("tr.media-file", has_text="Moselklang (take 2).wav")
    expect(row).to_have_attribute("data-status", "ready", timeout=15000)
    expect(row.locator(".file-status")).to_have_text("Ready")
    expect(row).to_contain_text("Audio")
    shots.shot("uploaded")
    assert_accessible(shots.page, context="uploaded")

    page.goto(f"/applications/{work.application_id}/review")
    page.get_by_role("button", name="Play").first.click()
    page.wait_for_function("() => document.querySelector('audio').currentTime > 1", timeout=10000)
    shots.shot("playing")
    assert_accessible(shots.page, context="playing")

    assert problems == []
    context.close()


def test_a_text_file_named_wav_is_refused_with_its_reason_on_the_page(
    browser, live_server, tmp_path
):
    fake = tmp_path / "notes.wav"
    fake.write_text("Das ist keine Musik.\n" * 40)
    problems = []
    context, page, _work = open_work_page(browser, live_server, problems)

    page.get_by_label("File", exact=True).set_input_files(fake)

    error = page.locator(".upload-error")
    expect(error).to_be_visible()
    expect(error).to_contain_text("not a sound file we can read")
    expect(page.get_by_text("No files yet.")).to_be_visible()
    assert all("415" not in p for p in problems if "console" in p)
    context.close()


def slow_upload(page, bytes_per_second: int) -> None:
    """Throttle the page's uploads (Chromium's network emulation), so there is time to act."""
    cdp = page.context.new_cdp_session(page)
    cdp.send("Network.enable")
    cdp.send(
        "Network.emulateNetworkConditions",
        {
            "offline": False,
            "latency": 0,
            "downloadThroughput": -1,
            "uploadThroughput": bytes_per_second,
        },
    )


def percent(page) -> int:
    return int(page.locator(".upload-progress progress").get_attribute("value"))


def test_an_upload_pauses_resumes_and_continues_after_a_reload(
    browser, live_server, screens, tmp_path
):
    recording = tmp_path / "Long take.wav"
    recording.write_bytes(wav_bytes(24 * 1024 * 1024 / (44100 * 4)))
    problems = []
    context, page, _work = open_work_page(browser, live_server, problems)
    shots = screens(page)
    slow_upload(page, 3 * 1024 * 1024)

    page.get_by_label("File", exact=True).set_input_files(recording)
    page.wait_for_function("() => document.querySelector('.upload-progress progress').value >= 5")
    page.get_by_role("button", name="Pause").click()
    expect(page.locator(".upload-status")).to_have_text("Paused. Press “Resume” to continue.")
    paused_at = percent(page)
    page.wait_for_timeout(1500)
    assert percent(page) == paused_at
    shots.shot("paused")
    assert_accessible(shots.page, context="paused")
    page.get_by_role("button", name="Resume").click()
    page.wait_for_function(
        f"() => document.querySelector('.upload-progress progress').value > {paused_at}"
    )

    # The page is closed mid-way; back on it, the same file continues where it stopped.
    page.wait_for_function("() => document.querySelector('.upload-progress progress').value >= 40")
    page.reload()
    notice = page.locator(".upload-unfinished")
    expect(notice).to_contain_text("“Long take.wav” was not finished")
    shots.shot("unfinished")
    assert_accessible(shots.page, context="unfinished")
    page.get_by_label("File", exact=True).set_input_files(recording)
    # tus-js-client asks the server for the offset, so progress starts well above zero.
    page.wait_for_function("() => document.querySelector('.upload-progress progress').value > 0")
    assert percent(page) >= 30
    row = page.locator("tr.media-file", has_text="Long take.wav")
    expect(row).to_have_attribute("data-status", "ready", timeout=30000)
    assert db.session.scalars(select(MediaFile.size)).all() == [recording.stat().st_size]
    assert db.session.scalars(select(MediaUpload.meta)).one()["media"]
    assert problems == []
    context.close()


def test_a_processing_file_turns_ready_on_the_page_without_reload(browser, live_server):
    problems = []
    context, page, work = open_work_page(browser, live_server, problems)
    media = MediaFile(
        work_id=work.id,
        kind=MediaKind.AUDIO,
        original_name="Waiting.flac",
        storage_key="ab/cd/waiting",
        size=1234,
        status=MediaStatus.PROCESSING,
    )
    db.session.add(media)
    db.session.commit()
    page.reload()
    row = page.locator("tr.media-file", has_text="Waiting.flac")
    expect(row.locator(".file-status")).to_have_text("Processing")

    media.status = MediaStatus.READY
    db.session.commit()

    expect(row.locator(".file-status")).to_have_text("Ready", timeout=10000)
    expect(page.locator(".work-files-news")).to_have_text("Waiting.flac: Ready")
    assert problems == []
    context.close()


def test_an_unfinished_upload_can_be_discarded_after_a_reload(browser, live_server, tmp_path):
    recording = tmp_path / "Abandoned take.wav"
    recording.write_bytes(wav_bytes(16 * 1024 * 1024 / (44100 * 4)))
    problems = []
    context, page, _work = open_work_page(browser, live_server, problems)
    slow_upload(page, 3 * 1024 * 1024)
    page.get_by_label("File", exact=True).set_input_files(recording)
    page.wait_for_function("() => document.querySelector('.upload-progress progress').value >= 10")

    page.reload()
    notice = page.locator(".upload-unfinished")
    expect(notice).to_contain_text("“Abandoned take.wav” was not finished")
    page.get_by_role("button", name="Discard the unfinished upload of “Abandoned take.wav”").click()

    expect(notice).to_be_hidden()
    db.session.expire_all()
    assert db.session.scalars(select(MediaUpload)).all() == []
    assert problems == []
    context.close()
