"""Malformed tus requests and plain form uploads: a 4xx each, and nothing stored.

Every request breaks the protocol in at least one way (a header missing, negative, huge, not a
number or not base64; a checksum that does not match; the wrong Content-Type or tus version; a
file part without a usable name); the other headers are drawn valid or hostile. No MediaUpload or
MediaFile row may appear or change, and MEDIA_ROOT must hold the same files with the same sizes.
"""

import base64

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from qpmusic.extensions import db
from tests.results.ballot_builders import client_for
from tests.security.fuzz_world import applicant
from tests.security.test_fuzz import EXAMPLES, changed, fingerprint

OFFSET_TYPE = "application/offset+octet-stream"
FUZZ = settings(
    max_examples=EXAMPLES * 3,
    deadline=None,
    database=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


def b64(value: str | bytes) -> str:
    raw = value if isinstance(value, bytes) else value.encode("utf-8", "surrogatepass")
    return base64.b64encode(raw).decode()


NOT_LENGTHS = [
    "-1",
    "-0x10",
    "abc",
    "",
    " ",
    "1e3",
    "10.5",
    "0x10",
    "1_000",
    "\u0661\u0662",
    "9" * 100,
]
HUGE_LENGTHS = [str(10**30), str(2**63), str(2**64 + 1), str(5 * 1024**3)]
NOT_BASE64 = ["%%%", "abc", "====", "a" * 10_001, "\u00e9t\u00e9", "YQ==YQ=="]
NOT_CHECKSUMS = ["md5 YQ==", "sha1", "sha1 %%%", "sha256 " + "A" * 5000, "SHA1 YQ==", "crc32 AAAA"]
WRONG_VERSIONS = [None, "", "0.2.2", "1.0", "1.0.0 ", "1.0.0\x01", "x" * 10_000]
HOSTILE = st.sampled_from(["\x01\x1b[2J", "x" * 10_000, "\u202e", "-1", str(10**30), "NaN", "{}"])


@pytest.fixture
def musician(app):
    """A logged-in applicant with a draft work, and one upload of 10 bytes under way."""
    target = applicant(app)
    client = client_for(app, target.user)
    work_id = target.values["work_id"]
    metadata = f"filename {b64('take.wav')},work_id {b64(str(work_id))}"
    created = client.post(
        "/uploads/",
        headers={"Tus-Resumable": "1.0.0", "Upload-Length": "10", "Upload-Metadata": metadata},
    )
    assert created.status_code == 201
    return client, target.values["work_id"], created.headers["Location"]


@st.composite
def malformed_creation(draw, work_id: int) -> dict:
    headers = {
        "Tus-Resumable": "1.0.0",
        "Upload-Length": "10",
        "Upload-Metadata": f"filename {b64('take.wav')},work_id {b64(str(work_id))}",
    }
    broken = draw(
        st.sampled_from(["version", "length", "metadata", "work", "name", "checksum", "defer"])
    )
    if broken == "version":
        headers["Tus-Resumable"] = draw(st.sampled_from(WRONG_VERSIONS))
    elif broken == "length":
        headers["Upload-Length"] = draw(st.sampled_from(NOT_LENGTHS + HUGE_LENGTHS + [None]))
    elif broken == "metadata":
        pairs = draw(st.lists(st.sampled_from(NOT_BASE64), min_size=1, max_size=3))
        bad = [f"filename {p}" for p in pairs] + [f"work_id {b64(str(work_id))}"]
        headers["Upload-Metadata"] = ",".join(draw(st.permutations(bad)))
    elif broken == "work":
        other = draw(st.sampled_from(["", "0", "-1", str(10**30), "abc", "1.0", "\x00", "999999"]))
        headers["Upload-Metadata"] = f"filename {b64('take.wav')},work_id {b64(other)}"
    elif broken == "name":
        name = draw(st.sampled_from(["", "\x00", "\x01\x02", "...", "/", "C:\\", "\u202e", " . "]))
        raw = draw(st.sampled_from([b64(name), b64(b"\xff\xfe"), b64("\ud800")]))
        headers["Upload-Metadata"] = f"filename {raw},work_id {b64(str(work_id))}"
    elif broken == "checksum":
        headers["Upload-Checksum"] = draw(
            st.sampled_from([*NOT_CHECKSUMS, "sha1 " + b64(b"x" * 20)])
        )
        headers["Content-Type"] = OFFSET_TYPE
    else:
        headers["Upload-Defer-Length"] = draw(st.sampled_from(["1", "0", "-1", "x"]))
    for name in draw(
        st.lists(
            st.sampled_from(["Upload-Concat", "X-HTTP-Method-Override", "Upload-Expires"]),
            max_size=2,
        )
    ):
        headers[name] = draw(HOSTILE)
    return {k: v for k, v in headers.items() if v is not None}


def test_malformed_creations_are_refused_and_store_nothing(app, musician):
    client, work_id, _location = musician

    @FUZZ
    @given(
        headers=malformed_creation(work_id),
        body=st.sampled_from([b"", b"0123456789", b"\xff" * 11]),
    )
    def check(headers, body):
        before = fingerprint(app)
        response = client.post("/uploads/", headers=headers, data=body)
        assert 400 <= response.status_code < 500, (response.status_code, response.text)
        assert changed(before, fingerprint(app)) == []

    check()


@st.composite
def malformed_patch(draw) -> tuple[dict, bytes, str]:
    headers = {"Tus-Resumable": "1.0.0", "Upload-Offset": "0", "Content-Type": OFFSET_TYPE}
    body = draw(st.sampled_from([b"0123", b"0123456789"]))
    location_suffix = ""
    broken = draw(st.sampled_from(["version", "offset", "type", "checksum", "long", "id"]))
    if broken == "version":
        headers["Tus-Resumable"] = draw(st.sampled_from(WRONG_VERSIONS))
    elif broken == "offset":
        headers["Upload-Offset"] = draw(
            st.sampled_from([*NOT_LENGTHS, *HUGE_LENGTHS, "3", "11", None])
        )
    elif broken == "type":
        headers["Content-Type"] = draw(
            st.sampled_from(
                [
                    None,
                    "application/octet-stream",
                    "text/plain",
                    "multipart/form-data",
                    OFFSET_TYPE + "x",
                ]
            )
        )
    elif broken == "checksum":
        headers["Upload-Checksum"] = draw(
            st.sampled_from([*NOT_CHECKSUMS, "sha1 " + b64(b"x" * 20), "sha256 " + b64(b"")])
        )
    elif broken == "long":
        body = b"0123456789" * draw(st.integers(2, 100))
    else:
        location_suffix = draw(st.sampled_from(["x", "%00", "/../x", "A" * 1000]))
    return {k: v for k, v in headers.items() if v is not None}, body, location_suffix


def test_malformed_chunks_are_refused_and_change_nothing(app, musician):
    client, _work_id, location = musician

    @FUZZ
    @given(request=malformed_patch())
    def check(request):
        headers, body, suffix = request
        before = fingerprint(app)
        response = client.patch(location + suffix, headers=headers, data=body)
        assert 400 <= response.status_code < 500, (response.status_code, response.text)
        assert changed(before, fingerprint(app)) == []

    check()


@pytest.mark.parametrize("method", ["HEAD", "DELETE"])
def test_malformed_head_and_delete_are_refused(app, musician, method):
    client, _work_id, location = musician

    @FUZZ
    @given(
        version=st.sampled_from(WRONG_VERSIONS),
        suffix=st.sampled_from(["", "x", "%00", "A" * 1000]),
    )
    def check(version, suffix):
        before = fingerprint(app)
        headers = {"Tus-Resumable": version} if version is not None else {}
        if suffix:  # an upload that is not there, with the right version or not
            headers = {"Tus-Resumable": version or "1.0.0"}
        response = client.open(location + suffix, method=method, headers=headers)
        assert 400 <= response.status_code < 500, response.status_code
        assert changed(before, fingerprint(app)) == []

    check()


NO_NAMES = ["", "\x00", "\x01\x02", "...", "/", "C:\\", "\u202e", " . "]


def test_malformed_form_uploads_are_refused_and_store_nothing(app, musician):
    client, work_id, _location = musician
    url = f"/applications/{applicant_id(work_id)}/works/{work_id}/files"

    @FUZZ
    @given(
        name=st.sampled_from(NO_NAMES),
        shape=st.sampled_from(["no-name", "text", "missing", "raw"]),
        content=st.sampled_from([b"", b"RIFF\x00\x00", b"\xff" * 100]),
    )
    def check(name, shape, content):
        from io import BytesIO

        before = fingerprint(app)
        if shape == "raw":  # a file part whose name is not UTF-8, or a broken boundary
            body = (
                b'--b\r\nContent-Disposition: form-data; name="file"; filename="\xff\xfe"\r\n\r\n'
                + content
                + draw_tail(name)
            )
            response = client.post(url, data=body, content_type="multipart/form-data; boundary=b")
        elif shape == "text":
            response = client.post(
                url, data={"file": name or "take.wav"}, content_type="multipart/form-data"
            )
        elif shape == "missing":
            response = client.post(url, data={"other": (BytesIO(content), "take.wav")})
        else:
            response = client.post(url, data={"file": (BytesIO(content), name)})
        assert response.status_code < 500, response.status_code
        assert changed(before, fingerprint(app)) == []

    check()


def draw_tail(name: str) -> bytes:
    # No closing boundary when the name is empty: the body ends in the middle of the part.
    return b"" if not name else b"\r\n--b--\r\n"


def applicant_id(work_id: int) -> int:
    from qpmusic.applications.models import Work

    return db.session.get(Work, work_id).application_id
