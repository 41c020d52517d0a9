"""How files show on pages: sizes, playing times, waveform peaks, states (template helpers)."""

import json

from qpmusic.media.labels import STATUS_LABELS, human_size, note_messages, rejection_message


def clock(seconds: float | None) -> str:
    """``252.4`` → "4:12", ``3723`` → "1:02:03": how players show a time."""
    whole = int(seconds or 0)
    hours, rest = divmod(whole, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


def peaks_json(peaks: list | None) -> str:
    """Waveform peaks as compact JSON for a data- attribute (three decimals are plenty to draw)."""

    def rounded(values):
        return [rounded(v) if isinstance(v, list) else round(float(v), 3) for v in values]

    return json.dumps(rounded(peaks or []), separators=(",", ":"))


def media_status_label(media) -> str:
    return str(STATUS_LABELS[media.status])


def media_rejection(media) -> str:
    return rejection_message(media.rejection_code) if media.rejection_code else ""


# Registered on the app by the media blueprint (qpmusic.media.views).
FILTERS = {"filesize": human_size, "clock": clock, "peaks_json": peaks_json}


def media_notes(media) -> list[str]:
    """What processing noted (no ffmpeg, a blind copy that could not be cleaned…), translated."""
    return note_messages(media.processing_note)


GLOBALS = {
    "media_status_label": media_status_label,
    "media_rejection": media_rejection,
    "media_notes": media_notes,
}
