"""The office sets up an edition from nothing: cities, the call, criteria, jurors, a coordinator."""

from datetime import date

from playwright.sync_api import expect

from tests.e2e.journey.people import CITIES, COORDINATOR, JURORS, t

CONCERT_PLACE = "Arsenal, Metz"
DE = "de"  # The office works in German (the CLI's default for the first admin).
CRITERIA = (
    ("Künstlerische Qualität", "Qualité artistique", "Artistic quality", "2"),
    ("Originalität", "Originalité", "Originality", "1"),
)


def de(msgid, **values):
    return t(DE, msgid, **values)


def flash(page, text) -> None:
    expect(page.locator(".flash").first).to_contain_text(text)


def add_cities(page, check) -> None:
    page.get_by_role("navigation", name=de("Main navigation")).get_by_role(
        "link", name=de("Cities")
    ).click()
    expect(page.get_by_text(de("No cities yet."))).to_be_visible()
    check(page, "admin-cities-empty")
    for name_de, name_fr, name_en, country, latitude, longitude in CITIES:
        page.get_by_role("link", name=de("Add a city")).click()
        page.locator("#name_de").fill(name_de)
        page.locator("#name_fr").fill(name_fr)
        page.locator("#name_en").fill(name_en)
        page.locator("#country").fill(country)
        page.locator("#latitude").fill(latitude)
        page.locator("#longitude").fill(longitude)
        check(page, "admin-city-form")
        page.get_by_role("button", name=de("Save city")).click()
        flash(page, de("The city has been saved."))
    expect(page.locator("main table tbody tr")).to_have_count(4)
    check(page, "admin-cities")


def create_edition(page, check, *, today: date, closes: date) -> None:
    """A call open from today until ``closes`` at midnight, with two finalists."""
    page.get_by_role("navigation", name=de("Main navigation")).get_by_role(
        "link", name=de("Editions")
    ).click()
    expect(page.get_by_text(de("No editions yet."))).to_be_visible()
    check(page, "admin-editions-empty")
    page.get_by_role("link", name=de("New edition")).click()
    year = closes.year
    page.locator("#year").fill(str(year))
    page.locator("#title_de").fill(f"QuattroPole Musikpreis {year}")
    page.locator("#title_fr").fill(f"Prix de musique QuattroPole {year}")
    page.locator("#title_en").fill(f"QuattroPole Music Prize {year}")
    page.locator("#opens_on").fill(today.isoformat())
    page.locator("#opens_time").fill("00:00:00")
    page.locator("#closes_on").fill(closes.isoformat())
    page.locator("#closes_time").fill("23:59:59")
    page.locator("#finalists_count").fill("2")
    for language, rules in (
        ("de", "Bewerben können Musikerinnen und Musiker aus den vier Städten."),
        ("fr", "Peuvent candidater les musiciennes et musiciens des quatre villes."),
        ("en", "Musicians from the four cities may apply."),
    ):
        page.locator(f"#rules_{language}").fill(rules)
    check(page, "admin-edition-new")
    page.get_by_role("button", name=de("Save"), exact=True).click()
    flash(page, de("The edition %(year)s has been created.", year=year))
    expect(page.get_by_role("button", name=de("Open the call"))).to_be_disabled()
    check(page, "admin-edition-draft")

    for label_de, label_fr, label_en, weight in CRITERIA:
        adding = page.locator("details.add-criterion")
        adding.locator("summary").click()
        page.locator("#label_de").fill(label_de)
        page.locator("#label_fr").fill(label_fr)
        page.locator("#label_en").fill(label_en)
        page.locator("#weight").fill(weight)
        adding.get_by_role("button", name=de("Add the criterion")).click()
        flash(page, de("The criterion has been added."))
    page.get_by_role("button", name=de("Open the call")).click()
    expect(page.locator("li[aria-current=step]")).to_have_text(de("Call open"))
    check(page, "admin-edition-open")


def invite(page, check, *, edition_url: str) -> None:
    """Two jurors per city and a coordinator, each invited in their own language."""
    page.goto(edition_url)
    page.get_by_role("link", name=de("Jurors and coordinators")).click()
    check(page, "admin-jury-empty")
    people = [(e, "juror", city, lang) for _n, e, city, lang in JURORS]
    people.append((COORDINATOR[0], "coordinator", None, COORDINATOR[2]))
    for email, role, city, language in people:
        page.locator("#email").fill(email)
        page.locator("#role").select_option(role)
        if city:
            page.locator("#city_id").select_option(label=city_label(city))
        page.locator("#language").select_option(language)
        page.get_by_role("button", name=de("Send invitation")).click()
        flash(page, de("The invitation to %(email)s has been sent.", email=email))
    check(page, "admin-jury-invited")


def city_label(english: str) -> str:
    """The city as the German select shows it."""
    return next(c[0] for c in CITIES if c[2] == english)


def plan_concert(page, check, *, edition_url: str, concert: date) -> None:
    """The final concert, which the finalists' invitation names."""
    page.goto(edition_url)
    page.get_by_role("link", name=de("Edit settings")).click()
    page.locator("#final_concert_on").fill(concert.isoformat())
    page.locator("#final_concert_time").fill("20:00")
    page.locator("#final_concert_place").fill(CONCERT_PLACE)
    check(page, "admin-edition-edit")
    page.get_by_role("button", name=de("Save"), exact=True).click()
    flash(page, de("The changes have been saved."))
