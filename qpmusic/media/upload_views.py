"""The tus 1.0 endpoint and the plain form upload of a work's files.

CSRF: tus requests are sent by our own page's script with raw bytes, not by forms, so the two tus
views are exempt from CSRFProtect's form check. Instead every state-changing tus request (POST,
PATCH, DELETE) must carry the page's CSRF token in an ``X-CSRFToken`` header, validated as a form
token would be: a cross-site page can neither read the token nor set a custom header without a
CORS preflight, which this app never grants. The plain form and the remove button are ordinary
forms under CSRFProtect like every other (a missing token: 400 and the usual page).
"""

from flask import Blueprint, Response, abort, current_app, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf.csrf import validate_csrf
from sqlalchemy import select
from werkzeug.http import http_date
from wtforms import ValidationError

from qpmusic.accounts.guards import role_required
from qpmusic.applications.models import Application, Work
from qpmusic.enums import MediaStatus, Role
from qpmusic.extensions import csrf, db
from qpmusic.media import services, uploads
from qpmusic.media.forms import FileUploadForm, RemoveFileForm
from qpmusic.media.labels import KIND_LABELS, STATUS_LABELS, human_size, rejection_message
from qpmusic.media.names import ACCEPT
from qpmusic.media.services import UploadError
from qpmusic.media.tus import (
    CHECKSUM_ALGORITHMS,
    OFFSET_TYPE,
    TUS_EXTENSIONS,
    TUS_VERSION,
    parse_checksum,
    parse_length,
    parse_metadata,
)
from qpmusic.timestamps import utcnow

bp = Blueprint("uploads", __name__)
applicant_only = role_required(Role.APPLICANT)

TUS_ENDPOINTS = {"uploads.collection", "uploads.upload"}
# The plain form takes small files only (app.config["PLAIN_UPLOAD_MAX"] may change it); larger
# ones need the resumable uploader.
PLAIN_FORM_MAX = 100 * 1024 * 1024
# Multipart boundaries and the CSRF field around the file.
FORM_OVERHEAD = 64 * 1024


def plain_form_max() -> int:
    return current_app.config.get("PLAIN_UPLOAD_MAX", PLAIN_FORM_MAX)


@bp.app_template_global()
def media_words() -> dict:
    """What the file list needs to say a file's state and kind in the reader's language."""
    return {
        "status": STATUS_LABELS,
        "kind": KIND_LABELS,
        "size": human_size,
        "reason": rejection_message,
        "limits": services.limits(),
        "plain_max": plain_form_max(),
        "accept": ACCEPT,
        "processing": MediaStatus.PROCESSING,
        "rejected": MediaStatus.REJECTED,
    }


def tus_response(status: int = 204, body: str = "", **headers) -> Response:
    response = Response(body, status=status, mimetype="text/plain")
    for name, value in headers.items():
        if value is not None:
            response.headers[name.replace("_", "-")] = str(value)
    return response


def refusal(error: UploadError) -> Response:
    """The reason in the body (shown by the page) and as a code in ``X-QPMusic-Error``."""
    return tus_response(error.status, error.message, X_QPMusic_Error=error.code)


def bad_request(message: str) -> Response:
    return tus_response(400, message, X_QPMusic_Error="bad_request")


@bp.url_value_preprocessor
def lift_body_limit(endpoint, values):
    """Room for large bodies on the upload routes, above Flask's MAX_CONTENT_LENGTH.

    Set here because URL value preprocessors run before every before_request hook, and an app
    hook (errors.refuse_nul_bytes) reads the body's form, which fixes the limit for the request.
    The services enforce the real limits (per kind, per application) while streaming.
    """
    if endpoint == "uploads.form_upload":
        request.max_content_length = plain_form_max() + FORM_OVERHEAD
    elif endpoint in TUS_ENDPOINTS:
        request.max_content_length = services.max_file_size()


@bp.before_request
def guard():
    """tus requests: the protocol version, a logged-in applicant, the CSRF token in a header."""
    if request.endpoint not in TUS_ENDPOINTS or request.method == "OPTIONS":
        return None
    if request.headers.get("Tus-Resumable") != TUS_VERSION:
        return tus_response(412, "Unsupported tus version", Tus_Version=TUS_VERSION)
    if not current_user.is_authenticated:
        message = _("Please log in to open this page.")
        return tus_response(401, message, X_QPMusic_Error="not_logged_in")
    if not current_user.has_role(Role.APPLICANT):
        message = _("You do not have permission to open this page.")
        return tus_response(403, message, X_QPMusic_Error="forbidden")
    if request.method in ("POST", "PATCH", "DELETE") and current_app.config.get(
        "WTF_CSRF_ENABLED", True
    ):
        try:
            validate_csrf(request.headers.get("X-CSRFToken"))
        except ValidationError:
            message = _("Please reload the page and try again.")
            return tus_response(403, message, X_QPMusic_Error="csrf")
    return None


@bp.after_request
def tus_headers(response: Response) -> Response:
    if request.endpoint in TUS_ENDPOINTS:
        response.headers["Tus-Resumable"] = TUS_VERSION
        response.headers["Cache-Control"] = "no-store"
    return response


def _upload_headers(upload) -> dict:
    return {
        "Upload_Offset": upload.offset,
        "Upload_Expires": http_date(upload.expires_at),
        "X_QPMusic_Media": upload.meta.get("media"),
    }


@bp.route("/uploads/", methods=["OPTIONS", "POST"], provide_automatic_options=False)
@csrf.exempt
def collection():
    return capabilities() if request.method == "OPTIONS" else create()


@bp.route(
    "/uploads/<upload_id>",
    methods=["OPTIONS", "HEAD", "PATCH", "DELETE"],
    provide_automatic_options=False,
)
@csrf.exempt
def upload(upload_id):
    if request.method == "OPTIONS":
        return capabilities()
    return {"HEAD": head, "PATCH": patch, "DELETE": delete}[request.method](upload_id)


def capabilities():
    return tus_response(
        204,
        Tus_Version=TUS_VERSION,
        Tus_Extension=TUS_EXTENSIONS,
        Tus_Checksum_Algorithm=",".join(CHECKSUM_ALGORITHMS),
        Tus_Max_Size=services.max_file_size(),
    )


def create():
    if "Upload-Defer-Length" in request.headers:
        return bad_request("Upload-Defer-Length is not supported")
    length = parse_length(request.headers.get("Upload-Length"))
    if length is None:
        return bad_request("Upload-Length is required")
    try:
        metadata = parse_metadata(request.headers.get("Upload-Metadata", ""))
        checksum = parse_checksum(request.headers.get("Upload-Checksum"))
    except ValueError:
        return bad_request("Upload-Metadata or Upload-Checksum is malformed")
    with_body = request.mimetype == OFFSET_TYPE
    try:
        received = uploads.create_upload(
            user=current_user,
            work_id=metadata.get("work_id", ""),
            filename=metadata.get("filename", ""),
            filetype=metadata.get("filetype", ""),
            length=length,
            now=utcnow(),
            body=request.stream if with_body else None,
            body_length=request.content_length,
            checksum=checksum,
        )
    except UploadError as error:
        # A refusal has already removed what it wrote; committing keeps its audit event.
        db.session.commit()
        return refusal(error)
    db.session.commit()
    location = url_for(".upload", upload_id=received.upload.id)
    return tus_response(201, Location=location, **_upload_headers(received.upload))


def head(upload_id):
    try:
        upload = uploads.upload_of(user=current_user, upload_id=upload_id, now=utcnow())
    except UploadError as error:
        return refusal(error)
    return tus_response(200, Upload_Length=upload.length, **_upload_headers(upload))


def patch(upload_id):
    if request.mimetype != OFFSET_TYPE:
        return tus_response(415, f"Content-Type must be {OFFSET_TYPE}")
    offset = parse_length(request.headers.get("Upload-Offset"))
    if offset is None:
        return bad_request("Upload-Offset is required")
    try:
        checksum = parse_checksum(request.headers.get("Upload-Checksum"))
    except ValueError:
        return bad_request("Upload-Checksum is malformed or uses an unsupported algorithm")
    try:
        received = uploads.receive_chunk(
            user=current_user,
            upload_id=upload_id,
            offset=offset,
            stream=request.stream,
            content_length=request.content_length,
            checksum=checksum,
            now=utcnow(),
        )
    except UploadError as error:
        db.session.commit()
        return refusal(error)
    db.session.commit()
    return tus_response(204, **_upload_headers(received.upload))


def delete(upload_id):
    try:
        uploads.terminate_upload(user=current_user, upload_id=upload_id, now=utcnow())
    except UploadError as error:
        return refusal(error)
    db.session.commit()
    return tus_response(204)


def own_work_or_404(application_id: int, work_id: int) -> None:
    """The URL names a work of the applicant's own application, else 404 as on the work page.

    The services check the work's owner too, but only after the form was read: without this
    another applicant's empty form got a redirect rather than the 404 every other step gives.
    """
    found = db.session.scalar(
        select(Work.id)
        .join(Application, Work.application_id == Application.id)
        .where(
            Work.id == work_id,
            Application.id == application_id,
            Application.applicant_id == current_user.id,
        )
    )
    if found is None:
        abort(404)


def _back(application_id: int, work_id: int):
    return redirect(
        url_for("applications.work_edit", application_id=application_id, work_id=work_id)
        + "#work-files"
    )


@bp.post("/applications/<int:application_id>/works/<int:work_id>/files", endpoint="form_upload")
@applicant_only
def form_upload(application_id, work_id):
    """Without JavaScript: one multipart POST, the same checks and messages as tus."""
    # A body over plain_form_max() never gets here: reading the form answers 413 with the
    # translated "File too large" page.
    own_work_or_404(application_id, work_id)
    form = FileUploadForm()
    if not form.validate_on_submit():
        flash(" ".join(str(e) for errors in form.errors.values() for e in errors), "error")
        return _back(application_id, work_id)
    try:
        media = uploads.receive_form_file(
            user=current_user, work_id=work_id, file=form.file.data, now=utcnow()
        )
    except UploadError as error:
        db.session.commit()
        flash(error.message, "error")
        return _back(application_id, work_id)
    db.session.commit()
    flash(_("“%(name)s” has arrived and is being checked.", name=media.original_name), "success")
    return _back(application_id, work_id)


@bp.post(
    "/applications/<int:application_id>/works/<int:work_id>/files/<public_id>/remove",
    endpoint="remove",
)
@applicant_only
def remove(application_id, work_id, public_id):
    own_work_or_404(application_id, work_id)
    if not RemoveFileForm().validate_on_submit():
        flash(_("Please reload the page and try again."), "error")
        return _back(application_id, work_id)
    try:
        media = services.remove_media(
            user=current_user, public_id=public_id, work_id=work_id, now=utcnow()
        )
    except UploadError as error:
        db.session.rollback()
        flash(error.message, "error")
        return _back(application_id, work_id)
    db.session.commit()
    flash(_("“%(name)s” has been removed.", name=media.original_name), "success")
    return _back(application_id, work_id)
