"""Who may call each endpoint: one table, as plain data, for reviewers and for the access test.

The views enforce these rules (``qpmusic.accounts.guards.role_required`` for roles, per-object
look-ups in the views and services for ownership and assignments); this table only documents
them. tests/security/test_permissions.py calls every endpoint as every kind of user and fails
when the table and the views disagree, or when an endpoint is missing here.

Everyone outside an endpoint's audiences is refused: 403 for a wrong role, 404 where even the
existence of an object must not be confirmed (someone else's application, assignment or file),
and a login redirect for a visitor on a page that needs an account.
"""

import enum


class Audience(enum.StrEnum):
    # Anyone, logged in or not.
    PUBLIC = "public"
    # Whoever holds a signed link from an e-mail; the token is the credential, not the session.
    TOKEN = "token"  # noqa: S105 (an audience, not a secret)
    # Any logged-in user, whatever their role (their own profile, logging out).
    LOGGED_IN = "logged_in"
    # Any user with the applicant role: their own list, starting an application.
    APPLICANT = "applicant"
    # The applicant whose application (work, eligibility, file, upload) the URL names.
    OWNER = "owner"
    # Any user with the juror or coordinator role: their own list of assignments.
    REVIEWER = "reviewer"
    # The juror whose assignment the URL names, whatever the round's state.
    ASSIGNEE = "assignee"
    # A juror assigned to the application in an open round, with no conflict in force.
    ASSIGNED_JUROR = "assigned_juror"
    # A reviewer of the application in a closed round, with no conflict in force.
    DELIBERATOR = "deliberator"
    # A juror (not a coordinator) of the edition's jury, assigned or not.
    EDITION_JUROR = "edition_juror"
    COORDINATOR = "coordinator"
    ADMIN = "admin"


A = Audience
PUBLIC = frozenset({A.PUBLIC})
TOKEN = frozenset({A.TOKEN})
LOGGED_IN = frozenset({A.LOGGED_IN})
OWNER = frozenset({A.OWNER})
ADMIN = frozenset({A.ADMIN})
OFFICE = frozenset({A.COORDINATOR, A.ADMIN})
ASSIGNEE = frozenset({A.ASSIGNEE})

PERMISSIONS: dict[str, frozenset[Audience]] = {
    # Accounts: the forms a visitor needs; a logged-in user is sent on instead of refused.
    "accounts.login": PUBLIC,
    "accounts.register": PUBLIC,
    "accounts.forgot_password": PUBLIC,
    "accounts.reset_password": TOKEN,
    "accounts.verify_email": TOKEN,
    "accounts.logout": LOGGED_IN,
    "profile.edit": LOGGED_IN,
    "profile.change_password": LOGGED_IN,
    "profile.change_email": LOGGED_IN,
    # Every account's own data. Staff may open the deletion page but are refused there with the
    # reason (their names stand under reviews and decisions; the office removes them by hand).
    "privacy.export": LOGGED_IN,
    "privacy.delete": LOGGED_IN,
    # The link proves the new address; it names the account, so no session is needed.
    "profile.confirm_email": TOKEN,
    "invitations.accept": TOKEN,
    "invitations.index": ADMIN,
    "invitations.resend": ADMIN,
    "invitations.revoke": ADMIN,
    # Public pages.
    "home.index": PUBLIC,
    "home.healthz": PUBLIC,
    "home.switch_language": PUBLIC,
    "legal.privacy": PUBLIC,
    "geo.places": PUBLIC,
    "geo.eligibility": PUBLIC,
    "editions.deadline_ics": PUBLIC,
    # 404 before publication, for everyone alike.
    "public_results.edition": PUBLIC,
    # The applicant's own application, step by step. Another applicant gets 404.
    "applications.status": frozenset({A.APPLICANT}),
    "applications.start": frozenset({A.APPLICANT}),
    "applications.profile": OWNER,
    "applications.biography": OWNER,
    "applications.relationships": OWNER,
    "applications.remove_relationship": OWNER,
    "applications.eligibility": OWNER,
    "applications.remove_basis": OWNER,
    "applications.works": OWNER,
    "applications.work_new": OWNER,
    "applications.work_edit": OWNER,
    "applications.remove_work": OWNER,
    "applications.consents": OWNER,
    "applications.review": OWNER,
    "applications.submit": OWNER,
    "applications.withdraw": OWNER,
    "uploads.form_upload": OWNER,
    "uploads.remove": OWNER,
    # tus: a visitor gets 401 (the uploader's script, not a page), another applicant 404.
    "uploads.collection": OWNER,
    "uploads.upload": OWNER,
    # A work's files: 404 for everyone else, never a login redirect (a copied link confirms
    # nothing). Jurors hear only while they review the application in an open round.
    "media.stream": frozenset({A.OWNER, A.ASSIGNED_JUROR, A.COORDINATOR, A.ADMIN}),
    "media.poster": frozenset({A.OWNER, A.ASSIGNED_JUROR, A.COORDINATOR, A.ADMIN}),
    "media.status": frozenset({A.OWNER, A.ASSIGNED_JUROR, A.COORDINATOR, A.ADMIN}),
    # The reviewer's pages. An assignment is its juror's alone: other jurors get 404.
    "jury.index": frozenset({A.REVIEWER}),
    "jury.assignment": ASSIGNEE,
    "jury.save_review": ASSIGNEE,
    "jury.autosave": ASSIGNEE,
    "jury.report_listening": ASSIGNEE,
    "jury.declare_conflict": ASSIGNEE,
    "jury.withdraw_conflict": ASSIGNEE,
    # After the round closes; coordinators are not in it unless they reviewed the application.
    "jury.deliberation_page": frozenset({A.DELIBERATOR, A.ADMIN}),
    "jury.post_message": frozenset({A.DELIBERATOR, A.ADMIN}),
    "jury.reopen": ADMIN,
    # The final ballot: every juror of the edition votes, assigned or not; coordinators do not.
    "ballot.vote": frozenset({A.EDITION_JUROR}),
    "ballot.admin": ADMIN,
    "ballot.awards": ADMIN,
    "ballot.publish": ADMIN,
    # Screening is the office's work: coordinators and admins, for every edition.
    "screening.index": OFFICE,
    "screening.detail": OFFICE,
    "screening.export": OFFICE,
    "screening.add_note": OFFICE,
    "screening.vote": OFFICE,
    "screening.decide": OFFICE,
    "screening.shortlist": OFFICE,
    "screening.remove_from_shortlist": OFFICE,
    # Coordinators follow the jury's progress; only admins send reminders.
    "jury_office.progress": OFFICE,
    "jury_office.remind": ADMIN,
    "jury_office.remind_all": ADMIN,
    # The office (admins only) from here on.
    "editions.admin_index": ADMIN,
    "editions.new": ADMIN,
    "editions.detail": ADMIN,
    "editions.edit": ADMIN,
    "editions.change_phase": ADMIN,
    "editions.add_criterion": ADMIN,
    "editions.edit_criterion": ADMIN,
    "editions.move_criterion": ADMIN,
    "editions.remove_criterion": ADMIN,
    "cities.index": ADMIN,
    "cities.new": ADMIN,
    "cities.edit": ADMIN,
    "audit.index": ADMIN,
    "audit.export": ADMIN,
    "outbox.index": ADMIN,
    "outbox.resend": ADMIN,
    "outbox.resend_all": ADMIN,
    "jury_members.index": ADMIN,
    "jury_members.remove": ADMIN,
    "jury_members.resend": ADMIN,
    "jury_members.revoke": ADMIN,
    "jury_members.conflicts": ADMIN,
    "jury_members.confirm": ADMIN,
    "jury_members.dismiss": ADMIN,
    "rounds.index": ADMIN,
    "rounds.detail": ADMIN,
    "rounds.settings": ADMIN,
    "rounds.open_round": ADMIN,
    "rounds.close": ADMIN,
    "rounds.reopen": ADMIN,
    "rounds.rebuild": ADMIN,
    "rounds.add_assignment": ADMIN,
    "rounds.remove_assignment": ADMIN,
    "results.index": ADMIN,
    "results.compute": ADMIN,
    "results.explain": ADMIN,
    "finalists.choose": ADMIN,
    "finalists.letters": ADMIN,
    "finalists.preview": ADMIN,
    "finalists.send": ADMIN,
    "finalists.batch": ADMIN,
    "exports.index": ADMIN,
    "exports.applications": ADMIN,
    "exports.results": ADMIN,
    "exports.reviews": ADMIN,
    "exports.media": ADMIN,
    "exports.protocol": ADMIN,
}

# Flask's own route for the CSS and scripts: public files, not a view of ours.
UNLISTED = frozenset({"static"})
