"""Works: one to the edition's maximum, composed within its age limit (works in progress count)."""

import pytest

from qpmusic.applications.forms import parse_duration
from qpmusic.applications.models import Work
from qpmusic.extensions import db
from tests.factories import ApplicationFactory, WorkFactory


@pytest.fixture
def application(musician, edition):
    return ApplicationFactory(applicant=musician, edition=edition)


def add_work(client, application, **fields):
    data = {"title": "Sillons", "year_composed": str(application.edition.year), "duration": "7:30"}
    data.update(fields)
    return client.post(
        f"/applications/{application.id}/works/new", data=data, follow_redirects=True
    )


def test_a_work_is_added_with_its_duration_in_seconds(client, application):
    add_work(client, application, techniques="Max/MSP, modular synthesizer")

    work = db.session.query(Work).one()
    assert (work.title, work.duration_seconds, work.position) == ("Sillons", 450, 1)
    assert work.techniques == "Max/MSP, modular synthesizer"


def test_a_work_older_than_the_age_limit_is_refused(client, application):
    year = application.edition.year - 6
    page = add_work(client, application, year_composed=str(year))

    oldest = application.edition.year - 5
    assert f"This call accepts works composed in {oldest} or later" in page.text
    assert db.session.query(Work).count() == 0


def test_a_work_at_the_age_limit_is_accepted(client, application):
    add_work(client, application, year_composed=str(application.edition.year - 5))

    assert db.session.query(Work).count() == 1


def test_an_old_work_in_progress_counts_as_new(client, application):
    add_work(client, application, year_composed="2015", in_progress="y")

    assert db.session.query(Work).one().in_progress


def test_a_fourth_work_is_refused(client, application):
    for position in (1, 2, 3):
        WorkFactory(application=application, position=position)

    page = add_work(client, application, title="Fourth")

    assert "You have already added 3 works, the most this call allows." in page.text
    assert db.session.query(Work).count() == 3


def test_a_work_can_be_edited_and_removed(client, application):
    work = WorkFactory(application=application, title="Draft title", position=1)

    client.post(
        f"/applications/{application.id}/works/{work.id}",
        data={
            "title": "Final title",
            "year_composed": str(application.edition.year),
            "duration": "1:02:03",
        },
    )
    db.session.refresh(work)
    assert (work.title, work.duration_seconds) == ("Final title", 3723)

    client.post(f"/applications/{application.id}/works/{work.id}/remove")
    db.session.expire_all()
    assert db.session.query(Work).count() == 0


def test_an_unreadable_duration_is_refused(client, application):
    page = add_work(client, application, duration="seven minutes")

    assert "Write the duration as minutes:seconds, for example 7:30." in page.text


@pytest.mark.parametrize(
    ("text", "seconds"),
    [("7:30", 450), ("12", 720), ("1:02:03", 3723), ("0:59", 59), ("7:60", None), ("", None)],
)
def test_durations_are_read_as_people_write_them(text, seconds):
    assert parse_duration(text) == seconds
