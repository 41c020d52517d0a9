"""The form macros: invalid fields are marked and described, and a summary links to each."""

from flask import render_template_string
from flask_wtf import FlaskForm
from wtforms import RadioField, StringField
from wtforms.validators import DataRequired

ENGLISH = {"Accept-Language": "en"}


def register_with_problems(client):
    data = {"name": "", "email": "not an address", "password": "short", "confirm": "other"}
    return client.post("/register", data=data, headers=ENGLISH)


def test_invalid_field_is_marked_invalid_and_described_by_its_help_and_error(client):
    page = register_with_problems(client).text

    # WTForms writes attributes in alphabetical order.
    assert '<input aria-describedby="name-error" aria-invalid="true" ' in page
    assert '<input aria-describedby="password-help password-error" aria-invalid="true" ' in page
    assert '<p class="help" id="password-help">At least 10 characters.</p>' in page
    assert (
        '<p class="error" id="name-error"><span aria-hidden="true">⚠ </span>'
        "Please fill in this field.</p>"
    ) in page


def test_error_summary_links_to_every_invalid_field_in_form_order(client):
    page = register_with_problems(client).text

    assert '<div class="form-errors" role="alert" tabindex="-1" data-error-summary>' in page
    links = [
        '<li><a href="#name">Your name: Please fill in this field.</a></li>',
        '<li><a href="#email">E-mail address: Please enter a valid e-mail address, '
        "e.g. name@example.org.</a></li>",
        '<li><a href="#password">Password: Use at least 10 characters.</a></li>',
        '<li><a href="#confirm">Repeat the password: The passwords do not match.</a></li>',
    ]
    positions = [page.index(link) for link in links]
    assert positions == sorted(positions)
    assert page.count('src="/static/js/error-summary.js"') == 1


def test_form_without_errors_has_no_summary_and_no_invalid_mark(client):
    page = client.get("/register", headers=ENGLISH).text

    assert "data-error-summary" not in page
    assert "aria-invalid" not in page
    assert "error-summary.js" not in page
    assert '<input aria-describedby="password-help" autocomplete="new-password" ' in page


class ChoiceForm(FlaskForm):
    class Meta:
        csrf = False

    mode = RadioField(
        "Mode",
        choices=[("a", "Automatic"), ("m", "By hand")],
        validators=[DataRequired("Choose a mode.")],
        description="How jurors get their applications.",
    )
    note = StringField("Note")


TEMPLATE = (
    '{% from "macros/forms.html" import field, form_errors %}'
    "{{ form_errors(form) }}{{ field(form.mode) }}"
)


def test_radio_group_is_a_fieldset_described_by_its_help_and_error(app):
    with app.test_request_context(method="POST", data={}):
        form = ChoiceForm()
        form.validate()
        html = render_template_string(TEMPLATE, form=form)

    assert '<fieldset class="field choice  has-error" id="mode"' in html
    assert 'aria-describedby="mode-help mode-error">' in html
    assert '<legend>Mode <span class="required" aria-hidden="true">*</span>' in html
    assert html.count('aria-invalid="true"') == 2
    assert (
        '<input aria-invalid="true" id="mode-0" name="mode" required type="radio" value="a">'
        in html
    )
    assert (
        '<p class="error" id="mode-error"><span aria-hidden="true">⚠ </span>Choose a mode.' in html
    )
    # The summary's link lands on the first option, which can take focus; a fieldset cannot.
    assert '<li><a href="#mode-0">Mode: Choose a mode.</a></li>' in html


def test_radio_group_without_error_is_not_marked_invalid(app):
    with app.test_request_context():
        html = render_template_string(TEMPLATE, form=ChoiceForm())

    assert "aria-invalid" not in html
    assert 'aria-describedby="mode-help">' in html
    assert "form-errors" not in html
