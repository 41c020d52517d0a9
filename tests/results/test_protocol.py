"""The jury protocol PDF: rules, table, conflicts, abstentions, listening, ballot, signatures."""

import io
import re
import threading
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest
from pypdf import PdfReader
from weasyprint import HTML

from qpmusic.editions.models import Edition
from qpmusic.enums import RoundKind
from qpmusic.extensions import db
from qpmusic.jury.models import Round
from qpmusic.results.models import ResultSnapshot
from qpmusic.results.protocol import offline_fetcher, protocol_html
from qpmusic.timestamps import utcnow
from tests.factories import EditionFactory
from tests.results.export_builders import admin_user, build_scene, final_ballot

DASH = "\u2013"  # what the protocol shows for no value, and between a scale's ends


@pytest.fixture
def admin(auth):
    user = admin_user()
    auth.login(user.email)
    return user


@pytest.fixture
def scene():
    scene = build_scene()
    final_ballot(scene)
    return scene


def pdf_text(response) -> str:
    assert response.status_code == 200
    assert response.content_type == "application/pdf"
    reader = PdfReader(io.BytesIO(response.data))
    return "\n".join(page.extract_text() for page in reader.pages)


def html_of(app, edition, language="en") -> str:
    with app.test_request_context("/"):
        edition = db.session.merge(edition)
        return " ".join(protocol_html(edition, language=language).split())


def test_pdf_shows_the_winner_and_the_tables_references(client, admin, scene):
    response = client.get(f"/admin/editions/{scene.edition.id}/exports/protocol.pdf?lang=en")

    text = pdf_text(response)
    assert response.headers["Content-Disposition"].startswith(
        'attachment; filename="qpmusic-2031-protocol-en-'
    )
    assert "Jury protocol" in text
    assert "Klangwerk Müller" in text
    for reference in ("QP-2031-0001", "QP-2031-0002", "QP-2031-0003"):
        assert reference in text
    assert "A bold, luminous piece." in text


def test_pdf_embeds_its_fonts(client, admin, scene):
    response = client.get(f"/admin/editions/{scene.edition.id}/exports/protocol.pdf?lang=en")

    reader = PdfReader(io.BytesIO(response.data))
    fonts = [font.get_object() for font in reader.pages[0]["/Resources"]["/Font"].values()]
    # A composite (Type0) font keeps its descriptor on its descendant.
    fonts = [f["/DescendantFonts"][0].get_object() if "/DescendantFonts" in f else f for f in fonts]
    descriptors = [font["/FontDescriptor"].get_object() for font in fonts]
    assert descriptors
    assert all({"/FontFile", "/FontFile2", "/FontFile3"} & set(d) for d in descriptors)
    assert all("DejaVu" in str(font["/BaseFont"]) for font in fonts)


def test_pdf_in_french_reads_in_french(client, admin, scene):
    response = client.get(f"/admin/editions/{scene.edition.id}/exports/protocol.pdf?lang=fr")

    text = pdf_text(response)
    assert "Prix de musique QuattroPole 2031" in text
    assert "Originalité" in text
    assert "Trèves" in text
    assert "Une pièce audacieuse et lumineuse." in text


def test_protocol_states_the_rules_applied(app, scene):
    html = html_of(app, scene.edition)

    assert f'<td>Originality</td><td class="num">2</td><td class="num">0{DASH}10</td>' in html
    assert "Ranked by Normalized → City-balanced → Median, in this order." in html
    assert "None: every review counts." in html
    assert "Ada Achterberg (too few reviews to normalize)" in html
    assert "a" * 64 in html


def test_protocol_has_the_table_with_every_method_and_the_tie(app, scene):
    html = html_of(app, scene.edition)

    assert (
        "<td>QP-2031-0001</td> <td>Klangwerk Müller</td> "
        '<td class="num">8.50 <span class="rank">(1)</span></td>'
        '<td class="num">8.50 <span class="rank">(1)</span></td>'
        '<td class="num">8.90 <span class="rank">(1)</span></td>'
        '<td class="num">8.50 <span class="rank">(1)</span></td>'
    ) in html
    assert '<td class="num">2<br><span class="tie">jury decides</span></td>' in html


def test_protocol_lists_conflicts_abstentions_and_listening(app, scene):
    html = html_of(app, scene.edition)

    assert "<td>QP-2031-0003</td><td>Bruno Béranger</td><td>Teacher or student</td>" in html
    assert "<td>QP-2031-0003</td><td>Ada Achterberg</td><td>Draft</td>" in html
    assert '<td>Ada Achterberg</td><td>Trier</td><td class="num">50 %</td>' in html
    assert '<td>Bruno Béranger</td><td>Metz</td><td class="num">0 %</td>' in html


def test_protocol_shows_the_closed_ballot_with_its_schulze_tables(app, scene):
    html = html_of(app, scene.edition)

    assert "<td>Ada Achterberg</td><td>QP-2031-0001 &gt; QP-2031-0002</td>" in html
    assert (
        f'<tr><th>QP-2031-0001</th><td class="num">{DASH}</td><td class="num">2</td></tr>'
        f'<tr><th>QP-2031-0002</th><td class="num">0</td><td class="num">{DASH}</td></tr>'
    ) in html
    assert "Schulze ranking:</strong> QP-2031-0001 &gt; QP-2031-0002" in html
    assert "Prize: <strong>Klangwerk Müller</strong> (QP-2031-0001)" in html


def final_round(scene) -> Round:
    return db.session.scalar(
        db.select(Round).where(Round.edition_id == scene.edition.id, Round.kind == RoundKind.FINAL)
    )


def test_protocol_prints_the_ballot_result_closing_froze_not_the_newest(app, scene):
    final = final_round(scene)
    query = db.select(ResultSnapshot).where(ResultSnapshot.round_id == final.id)
    counted = db.session.scalar(query)
    first, second = (a.id for a in scene.applications[:2])
    jurors = [j.id for j in scene.jurors.values()]
    # Closed once with both jurors ranking the second first, reopened, the ballots changed
    # back and closed again: that reuses the first snapshot, and the round points at it.
    db.session.add(
        ResultSnapshot(
            round_id=final.id,
            input_digest="e" * 64,
            parameters={"method": "schulze", "unranked": "last"},
            inputs={
                "candidates": sorted([first, second]),
                "ballots": [{"juror_id": j, "ranking": [[second], [first]]} for j in jurors],
            },
            rows=[{"place": 1, "application_ids": [second]}],
            jurors=jurors,
            computed_at=utcnow() + timedelta(minutes=5),
        )
    )
    final.frozen_snapshot_id = counted.id
    final.frozen_at = utcnow()
    db.session.commit()

    html = html_of(app, scene.edition)

    assert "Schulze ranking:</strong> QP-2031-0001 &gt; QP-2031-0002" in html
    assert "<td>Ada Achterberg</td><td>QP-2031-0001 &gt; QP-2031-0002</td>" in html


def test_protocol_states_the_outlier_rule_as_the_tally_applies_it(app, scene):
    scene.snapshot.parameters = {**scene.snapshot.parameters, "outlier_k": 1.5}
    db.session.commit()

    html = html_of(app, scene.edition)

    assert (
        "A review is dropped when its total lies more than k = 1.5 standard deviations of all "
        "the application's totals from the mean of the other reviews, unless fewer than two "
        "would remain."
    ) in html
    assert "from the application's mean" not in html


def test_protocol_states_how_a_conflict_counts_in_the_final_ballot(app, scene):
    html = html_of(app, scene.edition)

    assert (
        "A juror with a conflict of interest with a finalist does not rank that finalist; their "
        "ballot is left out of every comparison that involves that finalist."
    ) in html
    assert "counts as ranked below the others" not in html


def test_protocol_counts_every_conflict_in_force_as_the_results_page_does(app, scene):
    ada, bruno = scene.jurors["Ada"].id, scene.jurors["Bruno"].id
    first, _second, third = (a.id for a in scene.applications)
    scene.snapshot.parameters = {
        **scene.snapshot.parameters,
        "conflicts": [[bruno, third], [ada, first]],
    }
    db.session.commit()
    assert scene.snapshot.rows[0]["conflicts"] == 0

    html = html_of(app, scene.edition)

    table = html[html.index("2. Results of the jury round") : html.index("3. Conflicts")]
    rows = re.findall(r"<tr>.*?</tr>", table)[1:]  # the header first
    # The last cell of each row: its conflicts.
    assert [re.findall(r'<td class="num">([^<]*)</td>', row)[-1] for row in rows] == ["1", "0", "1"]


def test_an_open_ballot_shows_the_ballots_cast_and_no_result(app):
    scene = build_scene()
    final_ballot(scene, closed=False)

    html = html_of(app, scene.edition)

    assert "The ballot is not closed yet" in html
    assert "<td>Bruno Béranger</td><td>QP-2031-0001 &gt; QP-2031-0002</td>" in html
    assert "Schulze ranking" not in html


def test_protocol_has_a_signature_line_for_each_juror(app, scene):
    html = html_of(app, scene.edition)

    assert html.index("<strong>Ada Achterberg</strong>, Trier") > html.index("8. Signatures")
    assert "<strong>Bruno Béranger</strong>, Metz" in html


def test_an_edition_without_rounds_still_has_a_protocol(client, admin):
    edition = EditionFactory(year=2035)

    text = pdf_text(client.get(f"/admin/editions/{edition.id}/exports/protocol.pdf"))

    assert "No results have been computed for this edition yet." in text
    assert "No final ballot has been cast." in text


def test_unknown_language_falls_back_to_the_readers(client, admin, scene):
    response = client.get(f"/admin/editions/{scene.edition.id}/exports/protocol.pdf?lang=xx")

    assert "protocol-en-" in response.headers["Content-Disposition"]


def test_a_missing_edition_is_not_found(client, admin):
    assert db.session.get(Edition, 999) is None
    assert client.get("/admin/editions/999/exports/protocol.pdf").status_code == 404


@pytest.mark.parametrize(
    "url", ["http://example.org/logo.png", "https://example.org/a.css", "file:///etc/passwd"]
)
def test_the_fetcher_refuses_anything_but_inline_data(url):
    with pytest.raises(ValueError, match="disallowed protocol"):
        offline_fetcher()(url)


def test_rendering_never_reaches_the_network():
    hits = []

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):
            hits.append(self.path)
            self.send_response(404)
            self.end_headers()

        def log_message(self, *args):
            pass

    server = HTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        base = f"http://127.0.0.1:{server.server_port}"
        page = f'<link rel="stylesheet" href="{base}/s.css"><img src="{base}/i.png"><p>x</p>'
        HTML(string=page, url_fetcher=offline_fetcher()).write_pdf()
    finally:
        server.shutdown()
    assert hits == []
