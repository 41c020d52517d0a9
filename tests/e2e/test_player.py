"""A musician plays a ready recording on the review page: waveform, keyboard, loudness match."""

import io
import math
import struct
import wave

import pytest
from playwright.sync_api import expect

from qpmusic.extensions import db
from tests.conftest import PASSWORD
from tests.e2e.axe import assert_accessible
from tests.factories import WorkFactory
from tests.media.playback import media_file

pytestmark = pytest.mark.browser

SECONDS = 20
RATE = 8000


def tone() -> tuple[bytes, list[float]]:
    """A 20 s mono WAV whose volume swells and fades, and its 800 peaks (0..1)."""
    samples = [
        math.sin(2 * math.pi * 440 * n / RATE) * (0.2 + 0.7 * abs(math.sin(n / RATE / 3)))
        for n in range(SECONDS * RATE)
    ]
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(RATE)
        out.writeframes(b"".join(struct.pack("<h", int(s * 32000)) for s in samples))
    step = len(samples) // 800
    peaks = [max(abs(s) for s in samples[i : i + step]) for i in range(0, step * 800, step)]
    return buffer.getvalue(), peaks


def test_a_ready_recording_plays_seeks_by_keyboard_and_matches_loudness(
    browser, live_server, screens
):
    data, peaks = tone()
    work = WorkFactory(title="Moselklang")
    work.application.applicant.language = "en"
    db.session.commit()
    media_file(
        work,
        data=data,
        original_name="Moselklang.wav",
        duration_seconds=float(SECONDS),
        loudness_lufs=-14.2,
        peaks=peaks,
    )
    problems = []
    context = browser.new_context(base_url=live_server, viewport={"width": 1100, "height": 900})
    page = context.new_page()
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda error: problems.append(str(error)))
    page.on("response", lambda r: problems.append(r.url) if r.status >= 400 else None)
    shots = screens(page)

    page.goto("/login")
    page.get_by_label("E-mail address").fill(work.application.applicant.email)
    page.locator("#password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.goto(f"/applications/{work.application_id}/review")

    slider = page.get_by_role("slider", name="Position")
    expect(slider).to_be_visible()
    expect(page.locator("audio.player-media")).to_be_hidden()
    canvases = page.evaluate(
        "() => document.querySelector('.player-wave > div').shadowRoot"
        ".querySelectorAll('canvas').length"
    )
    assert canvases > 0
    shots.shot("player")
    # Each control says which recording it plays; the waveform is a slider with the time in words.
    expect(page.locator(".player-toggle")).to_have_accessible_name("Play Moselklang.wav (0:20)")
    expect(slider).to_have_accessible_description(
        "Moselklang.wav (0:20) Arrow keys move 5 seconds, Page Up and Page Down 30 seconds, "
        "Home and End to the start and the end."
    )
    expect(slider).to_have_attribute("aria-valuetext", "0:00 of 0:20")
    expect(page.get_by_role("checkbox", name="Loudness-matched")).to_be_visible()
    assert_accessible(page, context="the review page with a player")

    slider.focus()
    page.keyboard.press("ArrowRight")
    page.keyboard.press("ArrowRight")
    expect(slider).to_have_attribute("aria-valuenow", "10")
    expect(slider).to_have_attribute("aria-valuetext", "0:10 of 0:20")
    assert page.evaluate("() => document.querySelector('audio').currentTime") == 10
    page.keyboard.press("ArrowLeft")
    expect(slider).to_have_attribute("aria-valuenow", "5")

    page.get_by_role("button", name="Play").click()
    expect(page.locator(".player-toggle")).to_have_accessible_name("Pause Moselklang.wav (0:20)")
    page.wait_for_function("() => document.querySelector('audio').currentTime > 6", timeout=10000)
    page.get_by_role("button", name="Pause").click()
    expect(page.get_by_role("button", name="Play")).to_be_visible()
    assert page.locator(".player-current").inner_text() != "0:00"

    page.get_by_label("Loudness-matched").check()
    volume = page.evaluate("() => document.querySelector('audio').volume")
    assert volume == pytest.approx(10 ** ((-23 + 14.2) / 20), abs=1e-3)
    expect(page.locator(".player-match-note")).to_contain_text("8.8 dB lower")
    shots.shot("matched")
    page.reload()
    expect(page.get_by_label("Loudness-matched")).to_be_checked()
    page.get_by_label("Loudness-matched").uncheck()
    assert page.evaluate("() => document.querySelector('audio').volume") == 1
    page.set_viewport_size({"width": 390, "height": 844})
    expect(slider).to_be_visible()
    page.wait_for_timeout(300)  # WaveSurfer redraws 100 ms after its container resizes
    shots.shot("phone")
    assert_accessible(page, context="the review page with a player, on a phone")

    assert problems == []
    context.close()
