"""The audit log for admins: who did what, when, to what; filtered, paged, exported as CSV."""

from flask import Blueprint, Response, render_template, request
from flask_babel import get_locale
from flask_babel import gettext as _

from qpmusic.accounts.guards import role_required
from qpmusic.audit.forms import AuditFilterForm
from qpmusic.audit.listing import audit_page, audit_table, compact_diff
from qpmusic.enums import Role
from qpmusic.results.spreadsheets import to_csv
from qpmusic.timestamps import utcnow

bp = Blueprint("audit", __name__)


def _csv_headers() -> list[str]:
    return [
        _("When (Luxembourg time)"),
        _("E-mail address"),
        _("Name"),
        _("Action"),
        _("Concerning"),
        _("Id"),
        _("Before"),
        _("After"),
    ]


@bp.route("/admin/audit")
@role_required(Role.ADMIN)
def index():
    form = AuditFilterForm(request.args)
    wanted = form.to_filter()
    page = audit_page(wanted, request.args.get("page", 1, type=int))
    form.set_targets(page.target_types, _("Everything"))
    filters = {k: v for k, v in request.args.items() if k != "page" and v}
    return render_template(
        "audit/index.html",
        form=form,
        page=page,
        filters=filters,
        diffs={event.id: compact_diff(event.before, event.after) for event in page.events},
    )


@bp.route("/admin/audit/export.csv")
@role_required(Role.ADMIN)
def export():
    wanted = AuditFilterForm(request.args).to_filter()
    language = str(get_locale())
    body = to_csv(audit_table(wanted, _csv_headers()), language=language)
    filename = f"qpmusic-audit-{utcnow().strftime('%Y%m%d-%H%M')}.csv"
    return Response(
        body,
        content_type="text/csv; charset=utf-8",
        headers={
            "Content-Disposition": f'attachment; filename="{filename}"',
            "X-Content-Type-Options": "nosniff",
            "Cache-Control": "private, no-store",
        },
    )
