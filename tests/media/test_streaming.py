"""GET/HEAD /media/<public_id>: ranges, validators and headers, through the Python stream."""

import pytest
from werkzeug.wsgi import FileWrapper

from qpmusic.enums import MediaKind, MediaStatus
from qpmusic.extensions import db
from qpmusic.media.storage import get_storage
from tests.media.playback import DATA, media_file

SIZE = len(DATA)
CORRUPT = (
    "This file is damaged or incomplete, so we cannot read it. Export it again and "
    "send the new file."
)


@pytest.fixture
def owned(client, auth):
    """A ready WAV of 10,000 bytes and its owner, logged in."""
    media = media_file()
    auth.login(media.work.application.applicant.email)
    return media


def url(media) -> str:
    return f"/media/{media.public_id}"


def test_stream_sends_the_whole_file_with_its_headers(client, owned):
    response = client.get(url(owned))

    assert response.status_code == 200
    assert response.data == DATA
    assert response.headers["Content-Length"] == str(SIZE)
    assert response.headers["Accept-Ranges"] == "bytes"
    assert response.headers["Content-Type"] == "audio/wav"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Cache-Control"] == "private, no-cache"
    assert response.headers["ETag"].startswith('"') and not response.headers["ETag"].startswith(
        "W/"
    )
    assert response.headers["Last-Modified"].endswith(" GMT")
    assert "Content-Range" not in response.headers


def test_stream_gives_a_single_range(client, owned):
    response = client.get(url(owned), headers={"Range": "bytes=1000-1999"})

    assert response.status_code == 206
    assert response.data == DATA[1000:2000]
    assert response.headers["Content-Range"] == f"bytes 1000-1999/{SIZE}"
    assert response.headers["Content-Length"] == "1000"


def test_stream_gives_an_open_ended_range(client, owned):
    response = client.get(url(owned), headers={"Range": "bytes=9500-"})

    assert response.status_code == 206
    assert response.data == DATA[9500:]
    assert response.headers["Content-Range"] == f"bytes 9500-9999/{SIZE}"


def test_stream_gives_a_suffix_range(client, owned):
    response = client.get(url(owned), headers={"Range": "bytes=-300"})

    assert response.status_code == 206
    assert response.data == DATA[-300:]
    assert response.headers["Content-Range"] == f"bytes 9700-9999/{SIZE}"


def test_stream_clips_a_range_past_the_end(client, owned):
    response = client.get(url(owned), headers={"Range": "bytes=9990-20000"})

    assert response.status_code == 206
    assert response.data == DATA[9990:]
    assert response.headers["Content-Range"] == f"bytes 9990-9999/{SIZE}"


def test_stream_refuses_a_range_beyond_the_end_with_416(client, owned):
    response = client.get(url(owned), headers={"Range": f"bytes={SIZE}-"})

    assert response.status_code == 416
    assert response.headers["Content-Range"] == f"bytes */{SIZE}"
    assert response.data == b""


def test_stream_ignores_a_range_it_cannot_read(client, owned):
    response = client.get(url(owned), headers={"Range": "bytes=nonsense"})

    assert response.status_code == 200
    assert response.data == DATA


def test_stream_answers_several_ranges_with_the_whole_file(client, owned):
    response = client.get(url(owned), headers={"Range": "bytes=0-9,20-29"})

    assert response.status_code == 200
    assert response.data == DATA


def test_stream_honours_if_range_with_the_current_etag(client, owned):
    etag = client.get(url(owned)).headers["ETag"]

    response = client.get(url(owned), headers={"Range": "bytes=10-19", "If-Range": etag})

    assert response.status_code == 206
    assert response.data == DATA[10:20]


def test_stream_honours_if_range_with_the_current_date(client, owned):
    modified = client.get(url(owned)).headers["Last-Modified"]

    response = client.get(url(owned), headers={"Range": "bytes=10-19", "If-Range": modified})

    assert response.status_code == 206
    assert response.data == DATA[10:20]


@pytest.mark.parametrize(
    "validator", ['"stale"', "W/{etag}", "Mon, 01 Jan 2024 00:00:00 GMT", "garbage"]
)
def test_stream_sends_everything_when_if_range_does_not_match(client, owned, validator):
    etag = client.get(url(owned)).headers["ETag"]
    headers = {"Range": "bytes=10-19", "If-Range": validator.format(etag=etag)}

    response = client.get(url(owned), headers=headers)

    assert response.status_code == 200
    assert response.data == DATA


def test_stream_answers_304_to_if_none_match(client, owned):
    etag = client.get(url(owned)).headers["ETag"]

    response = client.get(url(owned), headers={"If-None-Match": etag})

    assert response.status_code == 304
    assert response.data == b""
    assert response.headers["ETag"] == etag
    assert response.headers["Cache-Control"] == "private, no-cache"


def test_stream_answers_304_to_if_modified_since(client, owned):
    modified = client.get(url(owned)).headers["Last-Modified"]

    response = client.get(url(owned), headers={"If-Modified-Since": modified})

    assert response.status_code == 304


def test_stream_sends_the_file_to_another_etag(client, owned):
    response = client.get(url(owned), headers={"If-None-Match": '"stale"'})

    assert response.status_code == 200
    assert response.data == DATA


def test_head_gives_the_headers_without_a_body(client, owned):
    get = client.get(url(owned))

    response = client.head(url(owned))

    assert response.status_code == 200
    assert response.data == b""
    for name in (
        "Content-Length",
        "Content-Type",
        "Accept-Ranges",
        "ETag",
        "Last-Modified",
        "Content-Disposition",
    ):
        assert response.headers[name] == get.headers[name], name


def test_head_describes_the_whole_file_even_with_a_range(client, owned):
    response = client.head(url(owned), headers={"Range": "bytes=0-9"})

    assert response.status_code == 200
    assert response.headers["Content-Length"] == str(SIZE)
    assert response.data == b""


def test_stream_content_type_is_the_detected_one_not_the_name(client, auth):
    media = media_file(original_name="score.mp3", detected_type="application/pdf")
    auth.login(media.work.application.applicant.email)

    response = client.get(url(media))

    assert response.headers["Content-Type"] == "application/pdf"


def test_stream_without_a_detected_type_is_plain_bytes(client, auth):
    media = media_file(detected_type="")
    auth.login(media.work.application.applicant.email)

    assert client.get(url(media)).headers["Content-Type"] == "application/octet-stream"


def test_stream_opens_inline_with_the_sanitized_name_in_utf8(client, owned):
    response = client.get(url(owned))

    assert response.headers["Content-Disposition"] == (
        'inline; filename="Etude fur Klang.wav"; '
        "filename*=UTF-8''%C3%89tude%20f%C3%BCr%20Klang.wav"
    )


def test_stream_of_a_pdf_opens_inline(client, auth):
    media = media_file(
        kind=MediaKind.DOCUMENT, detected_type="application/pdf", original_name="Partitur.pdf"
    )
    auth.login(media.work.application.applicant.email)

    response = client.get(url(media))

    assert response.headers["Content-Disposition"] == (
        "inline; filename=\"Partitur.pdf\"; filename*=UTF-8''Partitur.pdf"
    )


def test_stream_quotes_awkward_names_safely(client, auth):
    media = media_file(original_name='a"b;c\\d.wav')
    auth.login(media.work.application.applicant.email)

    disposition = client.get(url(media)).headers["Content-Disposition"]

    assert disposition == "inline; filename=\"a_b_c_d.wav\"; filename*=UTF-8''a%22b%3Bc%5Cd.wav"


def test_stream_hands_a_range_to_the_end_to_the_servers_file_wrapper(client, owned):
    wrapped = []

    def file_wrapper(file, block_size):
        wrapped.append(file.tell())
        return FileWrapper(file, block_size)

    response = client.get(
        url(owned),
        headers={"Range": "bytes=4000-"},
        environ_overrides={"wsgi.file_wrapper": file_wrapper},
    )

    assert response.status_code == 206
    assert response.data == DATA[4000:]
    assert wrapped == [4000]


def test_stream_keeps_a_bounded_range_out_of_the_file_wrapper(client, owned):
    wrapped = []

    def file_wrapper(file, block_size):
        wrapped.append(file)
        return FileWrapper(file, block_size)

    response = client.get(
        url(owned),
        headers={"Range": "bytes=4000-4099"},
        environ_overrides={"wsgi.file_wrapper": file_wrapper},
    )

    assert response.data == DATA[4000:4100]
    assert wrapped == []


def test_stream_of_a_large_range_comes_in_chunks(client, auth):
    data = bytes(range(256)) * 4096  # 1 MiB
    media = media_file(data=data)
    auth.login(media.work.application.applicant.email)

    response = client.get(url(media), headers={"Range": "bytes=1-"}, buffered=False)
    chunks = list(response.response)
    response.close()

    assert b"".join(chunks) == data[1:]
    assert len(chunks) == 4
    assert max(len(chunk) for chunk in chunks) == 256 * 1024


@pytest.mark.parametrize(
    ("status", "message"),
    [
        (MediaStatus.PROCESSING, "Processing"),
        (MediaStatus.REJECTED, CORRUPT),
    ],
)
def test_stream_of_an_unready_file_tells_the_owner_why(client, auth, status, message):
    media = media_file(status=status, rejection_code="corrupt" if message != "Processing" else "")
    media.work.application.applicant.language = "en"
    db.session.commit()
    auth.login(media.work.application.applicant.email)

    response = client.get(url(media))

    assert response.status_code == 409
    assert response.mimetype == "text/plain"
    assert response.get_data(as_text=True) == message


def test_stream_of_a_file_missing_from_storage_is_404(client, owned):
    get_storage().delete(owned.storage_key)

    assert client.get(url(owned)).status_code == 404


def test_stream_of_an_unknown_id_is_404(client, owned):
    assert client.get("/media/not-a-real-id").status_code == 404
