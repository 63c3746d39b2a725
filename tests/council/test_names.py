"""Names in every language: the council's, the working groups' (and their mandates) and the
seats' are shown in their reader's language, a missing one in the default language marked with
`lang`; the secretariat edits them, and the council's official languages."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from sqlmodel import select
from starlette.testclient import TestClient

from council import i18n, names, notices, outbox
from council.database import utcnow
from council.models import AuditRecord, ChairTerm, Council, Seat, SeatRole, WorkingGroup
from council.web import make_templates
from tests.conftest import make_settings, post_form, sign_in
from tests.factories import make_council, make_group, make_person, make_seat, make_secretariat
from tests.mail_server import smtp_server, smtp_settings

GROUP_ES = "Vías migratorias alternativas"
MANDATE_ES = "Ampliar las vías seguras y regulares de migración laboral."
COUNCIL_ES = "Consejo de América del Norte y Centroamérica sobre Migración"


def translated(**values: str) -> str:
    return json.dumps(values, ensure_ascii=False)


@pytest.fixture
def world(db):
    make_council(
        db,
        name="North and Central American Council on Migration",
        name_translations=translated(es=COUNCIL_ES),
    )
    mexico = make_seat(db, name="Mexico", name_translations=translated(es="México", fr="Mexique"))
    belize = make_seat(db, name="Belize", name_translations=translated(fr="Belize"))
    group = make_group(
        db,
        seats=[mexico, belize],
        slug="pathways",
        number=5,
        name="Alternative migration pathways",
        mandate="Expand safe and legal labour migration routes.",
        name_translations=translated(es=GROUP_ES),
        mandate_translations=translated(es=MANDATE_ES),
    )
    reader = make_person(db, seat=mexico, role=SeatRole.HEAD, language="es")
    english = make_person(db, seat=mexico, role=SeatRole.DELEGATE, language="en")
    db.commit()
    return {
        "mexico": mexico,
        "belize": belize,
        "group": group,
        "reader": reader,
        "english": english,
    }


# reading


def test_a_spanish_reader_sees_the_spanish_names_on_the_group_page(client, world):
    sign_in(client, world["reader"])
    page = client.get("/groups/pathways")
    assert page.status_code == 200
    assert f"Grupo de trabajo 5: {GROUP_ES}" in page.text
    assert f'<p class="mandate">{MANDATE_ES}</p>' in page.text
    assert "<li>México" in page.text
    assert "Alternative migration pathways" not in page.text
    assert "Expand safe and legal" not in page.text
    assert f"<title>{GROUP_ES} · {COUNCIL_ES}</title>" in page.text


def test_a_spanish_reader_sees_the_spanish_names_on_the_home_page(client, world):
    sign_in(client, world["reader"])
    page = client.get("/")
    assert f"<h1>{COUNCIL_ES}</h1>" in page.text
    assert GROUP_ES in page.text and "Alternative migration pathways" not in page.text
    assert "Participa en nombre de México." in page.text


def test_an_anonymous_spanish_reader_sees_the_councils_spanish_name(client, world):
    page = client.get("/", headers={"Accept-Language": "es"})
    assert page.status_code == 200
    assert f"<h1>{COUNCIL_ES}</h1>" in page.text
    assert "North and Central American Council" not in page.text
    english = client.get("/", headers={"Accept-Language": "en"})
    assert "<h1>North and Central American Council on Migration</h1>" in english.text


def test_a_missing_name_falls_back_to_the_default_language_marked_with_lang(client, world):
    sign_in(client, world["reader"])
    page = client.get("/groups/pathways")
    assert '<li><span lang="en">Belize</span>' in page.text  # no Spanish name given


def test_an_english_reader_reads_the_default_names_unmarked(client, world):
    sign_in(client, world["english"])
    page = client.get("/groups/pathways")
    assert "Working group 5: Alternative migration pathways" in page.text
    assert "<li>Mexico" in page.text and "<li>Belize" in page.text
    assert 'lang="en">' not in page.text.replace('<html lang="en">', "")


def test_a_french_reader_falls_back_for_the_group_but_not_the_seats(client, world, db):
    world["reader"].language = "fr"
    db.add(world["reader"])
    db.commit()
    sign_in(client, world["reader"])
    page = client.get("/groups/pathways")
    assert "<li>Mexique" in page.text and "<li>Belize" in page.text
    assert (
        'Groupe de travail 5\u00a0: <span lang="en">Alternative migration pathways</span>'
        in page.text
    )
    assert "<title>Alternative migration pathways · " in page.text  # no markup in a title


# the rules, without a page


def test_translations_tolerate_what_is_not_a_json_object():
    seat = Seat(name="Mexico", kind="member_state", name_translations="not json")
    assert names.translations(seat, "name") == {}
    seat.name_translations = '["es", "México"]'
    assert names.translations(seat, "name") == {}
    assert names.localized(seat, "name", "es", "en") == names.Localized("Mexico", "en")


def test_stored_translations_leave_out_blanks_and_the_default_language():
    seat = Seat(name="Mexico", kind="member_state")
    names.set_translations(
        seat, "name", {"fr": "Mexique", "es": " ", "en": "Mexico"}, default_language="en"
    )
    assert seat.name_translations == '{"fr": "Mexique"}'
    assert names.in_every_language(seat, "name", "en") == {"en": "Mexico", "fr": "Mexique"}
    assert names.localized(seat, "name", "fr", "en") == names.Localized("Mexique", "fr")


def test_local_marks_only_a_name_in_another_language_than_the_page():
    env = make_templates().env
    seat = Seat(
        name="Mexico & Co", kind="member_state", name_translations=translated(fr="Mexique & Cie")
    )
    template = env.from_string("{{ local(seat) }}|{{ local_text(seat) }}")
    with i18n.speaking("fr", i18n.NullTranslations()):
        assert template.render(seat=seat) == "Mexique &amp; Cie|Mexique &amp; Cie"
    with i18n.speaking("es", i18n.NullTranslations()):
        assert template.render(seat=seat) == (
            '<span lang="en">Mexico &amp; Co</span>|Mexico &amp; Co'
        )
    with i18n.speaking("en", i18n.NullTranslations()):
        assert template.render(seat=seat) == "Mexico &amp; Co|Mexico &amp; Co"
        assert template.render(seat=names.Named("Mexico", {"fr": "Mexique"})) == ("Mexico|Mexico")
        assert template.render(seat="Kept as it was") == "Kept as it was|Kept as it was"


# the secretariat


@pytest.fixture
def admin(client, db):
    make_council(db, official_languages="en,es,fr")
    secretariat = make_secretariat(db)
    db.commit()
    sign_in(client, secretariat)
    return client


def fresh(db, model, key):
    db.expire_all()
    return db.get(model, key)


def test_secretariat_gives_a_seat_its_french_name(admin, db):
    seat = make_seat(db, name="Mexico")
    db.commit()
    form = admin.get(f"/admin/seats/{seat.id}")
    assert '<label for="name_fr">Name in French</label>' in form.text
    assert '<label for="name_es">Name in Spanish</label>' in form.text
    assert 'name="name_en"' not in form.text  # the default language is the plain name

    saved = post_form(
        admin,
        f"/admin/seats/{seat.id}",
        {"name": "Mexico", "kind": "member_state", "name_fr": "Mexique", "name_es": ""},
        follow_redirects=False,
    )

    assert saved.status_code == 303
    assert json.loads(fresh(db, Seat, seat.id).name_translations) == {"fr": "Mexique"}
    record = db.exec(select(AuditRecord).where(AuditRecord.action == "seat.updated")).one()
    details = json.loads(record.details)
    assert (details["before"]["name_translations"], details["after"]["name_translations"]) == (
        {},
        {"fr": "Mexique"},
    )
    assert 'value="Mexique"' in admin.get(f"/admin/seats/{seat.id}").text


def test_a_translated_name_too_long_or_taken_comes_back_beside_its_field(admin, db):
    make_seat(db, name="Mexico", name_translations=translated(fr="Mexique"))
    seat = make_seat(db, name="Canada")
    db.commit()
    response = post_form(
        admin,
        f"/admin/seats/{seat.id}",
        {"name": "Canada", "kind": "member_state", "name_fr": "mexique", "name_es": "C" * 201},
    )
    assert response.status_code == 422
    assert 'id="name_fr-error"' in response.text and 'value="mexique"' in response.text
    assert 'id="name_es-error"' in response.text and "At most 200 characters." in response.text
    assert fresh(db, Seat, seat.id).name_translations == "{}"


def test_secretariat_gives_a_working_group_its_spanish_name_and_mandate(admin, db):
    group = make_group(db, name="Alternative migration pathways", number=5)
    db.commit()
    form = admin.get(f"/admin/groups/{group.slug}/edit")
    assert '<label for="mandate_es">Mandate in Spanish</label>' in form.text
    saved = post_form(
        admin,
        f"/admin/groups/{group.slug}/edit",
        {
            "name": "Alternative migration pathways",
            "number": "5",
            "decision_rule": "consensus",
            "quorum_numerator": "2",
            "quorum_denominator": "3",
            "chair_term_months": "6",
            "mandate": "Expand safe routes.",
            "name_es": GROUP_ES,
            "mandate_es": MANDATE_ES,
            "name_fr": "",
            "mandate_fr": "",
        },
        follow_redirects=False,
    )
    assert saved.status_code == 303
    changed = fresh(db, WorkingGroup, group.id)
    assert names.in_every_language(changed, "mandate", "en") == {
        "en": "Expand safe routes.",
        "es": MANDATE_ES,
    }
    assert names.translations(changed, "name") == {"es": GROUP_ES}


def council_form(**changes) -> dict:
    return {
        "name": "Council on Migration",
        "name_es": "Consejo sobre Migración",
        "name_fr": "",
        "default_language": "en",
        "official_languages": ["en", "es"],
        **changes,
    }


def test_secretariat_sets_the_official_languages(admin, db):
    page = admin.get("/admin/council")
    assert 'name="official_languages" value="fr" checked' in page.text
    saved = post_form(
        admin,
        "/admin/council",
        council_form(official_languages=["fr", "en"]),
        follow_redirects=False,
    )
    assert saved.status_code == 303
    council = db.exec(select(Council).execution_options(populate_existing=True)).one()
    assert council.official_languages == "en,fr"  # in the order of the languages
    assert json.loads(council.name_translations) == {"es": "Consejo sobre Migración"}
    record = db.exec(
        select(AuditRecord).where(AuditRecord.action == "council.settings_changed")
    ).one()
    assert json.loads(record.details)["changes"]["official_languages"] == ["en,es,fr", "en,fr"]


@pytest.mark.parametrize(
    "official, message",
    [
        ([], "Choose at least one official language."),
        (["es", "fr"], "The default language must be one of the official languages."),
    ],
)
def test_refused_official_languages_come_back_with_the_form(admin, db, official, message):
    response = post_form(
        admin, "/admin/council", council_form(official_languages=official, name="Typed name")
    )
    assert response.status_code == 422
    assert 'id="official_languages-error"' in response.text and message in response.text
    assert 'value="Typed name"' in response.text
    assert 'value="Consejo sobre Migración"' in response.text
    for code in official:
        assert f'name="official_languages" value="{code}" checked' in response.text
    council = db.exec(select(Council).execution_options(populate_existing=True)).one()
    assert (council.name, council.official_languages) == ("Test Council on Migration", "en,es,fr")


def test_a_new_default_language_needs_every_name_in_it(admin, db):
    mexico = make_seat(db, name="Mexico", name_translations=translated(es="México"))
    make_seat(db, name="Belize")
    db.commit()
    refused = post_form(admin, "/admin/council", council_form(default_language="es"))
    assert refused.status_code == 422
    assert 'id="default_language-error"' in refused.text and "Belize" in refused.text
    assert fresh(db, Seat, mexico.id).name == "Mexico"

    belize = db.exec(select(Seat).where(Seat.name == "Belize")).one()
    belize.name_translations = translated(es="Belice")
    db.add(belize)
    db.commit()
    saved = post_form(
        admin, "/admin/council", council_form(default_language="es"), follow_redirects=False
    )
    assert saved.status_code == 303
    moved = fresh(db, Seat, mexico.id)
    assert (moved.name, names.translations(moved, "name")) == ("México", {"en": "Mexico"})
    council = db.exec(select(Council)).one()
    assert (council.name, council.default_language) == ("Consejo sobre Migración", "es")


# notifications and emails


def _handover(db, seat, group) -> None:
    now = utcnow()
    term = ChairTerm(
        working_group_id=group.id, seat_id=seat.id, starts_at=now, ends_at=now + timedelta(days=180)
    )
    db.add(term)
    db.flush()
    notices.chair_changed(db, group=group, term=term, previous_seat_id=None, by=None, now=now)


def test_a_notification_names_the_seat_in_its_readers_language(app, client, db, world):
    _handover(db, world["mexico"], world["group"])
    db.commit()
    sign_in(client, world["reader"])
    spanish = client.get("/notifications").text
    assert f"Su delegación, México, preside ahora el grupo de trabajo 5, «{GROUP_ES}»." in (spanish)
    other = TestClient(app, base_url="http://testserver")
    sign_in(other, world["english"])
    english = other.get("/notifications").text
    assert "Your seat, Mexico, now chairs working group 5, “Alternative migration pathways”." in (
        english
    )


def test_an_email_to_a_french_reader_names_the_seat_in_french(
    db, database, database_url, tmp_path, world
):
    world["reader"].language = "fr"
    db.add(world["reader"])
    _handover(db, world["mexico"], world["group"])
    db.commit()
    with smtp_server() as inbox:
        settings = make_settings(
            database_url, tmp_path, base_url="http://testserver", **smtp_settings(inbox)
        )
        assert outbox.Outbox(settings).drain(database, utcnow() + timedelta(seconds=1)) >= 1
        received = inbox.wait_for(2)
    by_reader = {message["To"]: message for message in received}
    french = by_reader[world["reader"].email]
    assert french["Content-Language"] == "fr"
    assert "Mexique" in french["Subject"] and "Mexico" not in french["Subject"]
    english = by_reader[world["english"].email]
    assert "Mexico" in english["Subject"]


def test_the_demo_council_names_everything_in_three_languages(db):
    from council import demo

    demo.build(db, password="x")
    council = db.exec(select(Council)).one()
    assert council.official_languages == "en,es,fr"
    assert set(names.in_every_language(council, "name", "en")) == {"en", "es", "fr"}
    for seat in db.exec(select(Seat)).all():
        assert set(names.in_every_language(seat, "name", "en")) == {"en", "es", "fr"}, seat.name
    mexico = db.exec(select(Seat).where(Seat.name == "Mexico")).one()
    assert names.translations(mexico, "name") == {"es": "México", "fr": "Mexique"}
    for group in db.exec(select(WorkingGroup)).all():
        for field in ("name", "mandate"):
            assert set(names.in_every_language(group, field, "en")) == {"en", "es", "fr"}
        french = names.translations(group, "mandate")["fr"]
        assert french.count(":") == french.count("\u00a0:"), "a French colon has its space"
