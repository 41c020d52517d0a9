"""Forms of the plain (no JavaScript) upload and of removing a file."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired


class FileUploadForm(FlaskForm):
    file = FileField(_l("File"), validators=[FileRequired(_l("Choose a file to send."))])


class RemoveFileForm(FlaskForm):
    """Nothing but the CSRF token."""
