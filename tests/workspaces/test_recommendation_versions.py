"""A recommendation published in every official language: the record keeps each version and
the names in every language; the page, the PDF, the Atom entry and the API answer exist per
version; the library finds it by the words of any version and links to that one."""

from __future__ import annotations

import json

import feedparser
import pytest
from openapi_core import OpenAPI
from sqlmodel import select

from council.models import Council
from tests.workspaces.publishing import adopt, public_world
from tests.workspaces.test_recommendation_api import checked
from tests.workspaces.test_recommendation_pdf import read
from workspaces import api, recommendations, rendering, search
from workspaces.recommendation_models import RecommendationRendering

RESERVATION = "Mexico reads 50,000 as a ceiling."
SPANISH = (
    "Vías laborales",
    {
        "# Recommendation": "# Recomendación",
        "The member states should increase labour migration pathways by at least 50,000 places.": (
            "Los Estados miembros deberían ampliar las vías de migración laboral en al menos "
            "50.000 plazas."
        ),
        "Workers must never pay recruitment fees.": (
            "Los trabajadores nunca deben pagar tarifas de contratación."
        ),
        "- Seasonal programmes in agriculture.": "- Programas estacionales en la agricultura.",
        "- Multi-year visas.": "- Visados plurianuales.",
        "The council reviews the programmes every year.": (
            "El consejo examina los programas cada año."
        ),
    },
)
FRENCH = (
    "Voies de migration de travail",
    {
        "# Recommendation": "# Recommandation",
        "The member states should increase labour migration pathways by at least 50,000 places.": (
            "Les États membres devraient élargir les voies de migration de travail d’au moins "
            "50 000 places."
        ),
        "Workers must never pay recruitment fees.": (
            "Les travailleurs ne doivent jamais payer de frais de recrutement."
        ),
        "- Seasonal programmes in agriculture.": "- Programmes saisonniers dans l’agriculture.",
        "- Multi-year visas.": "- Visas pluriannuels.",
        "The council reviews the programmes every year.": (
            "Le conseil examine les programmes chaque année."
        ),
    },
)
ENGLISH_ONLY = "Workers must never pay recruitment fees."
SPANISH_ONLY = "Los trabajadores nunca deben pagar tarifas de contratación."
FRENCH_ONLY = "Les travailleurs ne doivent jamais payer de frais de recrutement."


@pytest.fixture
def world(db):
    world = public_world(db)
    council = db.exec(select(Council)).one()
    council.official_languages = "en,es,fr"
    world.group.name_translations = json.dumps(
        {"es": "Vías migratorias alternativas", "fr": "Voies migratoires alternatives"}
    )
    world.mexico.name_translations = json.dumps({"es": "México", "fr": "Mexique"})
    world.network.name_translations = json.dumps({"es": "Red de Comunidades Migrantes"})
    db.add_all([council, world.group, world.mexico, world.network])
    db.commit()
    return world


@pytest.fixture
def published(db, world):
    item = adopt(
        db,
        world,
        versions={"es": SPANISH, "fr": FRENCH},
        reservation=RESERVATION,
        statement="The chair thanks every delegation.",
    )
    db.commit()
    return item


@pytest.fixture
def old_style(db, world):
    """A recommendation as published before versions: its record has none, nor names in
    other languages."""
    item = adopt(
        db,
        world,
        title="Protection at borders",
        text="Asylum seekers are heard at every border crossing.",
        versions={"es": ("Protección", {}), "fr": ("Protection", {})},
    )
    data = recommendations.record(item)
    for key in ("versions", "seat_names", "default_language"):
        del data[key]
    del data["working_group"]["names"]
    item.record = json.dumps(data)
    db.add(item)
    db.flush()
    rendering.render_all(db, item)
    db.commit()
    return item


@pytest.fixture(scope="module")
def spec() -> OpenAPI:
    return OpenAPI.from_dict(api.DOCUMENT)


def test_the_record_keeps_every_official_version_and_every_name(db, published):
    data = recommendations.record(published)

    assert set(data["versions"]) == {"es", "fr"}
    original = data["paragraphs"]
    for code, (title, texts) in (("es", SPANISH), ("fr", FRENCH)):
        version = data["versions"][code]
        assert version["title"] == title
        assert [(p["id"], p["number"]) for p in version["paragraphs"]] == [
            (p["id"], p["number"]) for p in original
        ]
        assert [p["markdown"] for p in version["paragraphs"]] == [
            texts[p["markdown"]] for p in original
        ]
        assert version["summary"].startswith(texts[original[1]["markdown"]][:30])
    assert data["working_group"]["names"] == {
        "en": "Alternative migration pathways",
        "es": "Vías migratorias alternativas",
        "fr": "Voies migratoires alternatives",
    }
    assert data["seat_names"] == {
        "Mexico": {"es": "México", "fr": "Mexique"},
        "Migrant Communities Network": {"es": "Red de Comunidades Migrantes"},
    }
    # footnotes and provenance mark the same paragraphs in every language
    french = recommendations.text_in(published, data, "fr")
    assert french.language == "fr" and french.others == ["en", "es"]
    assert [p["footnotes"] for p in french.paragraphs] == [p["footnotes"] for p in original]
    assert french.paragraphs[1]["footnotes"] == [1]
    assert [p["origin"] for p in french.paragraphs] == [p["origin"] for p in original]
    assert FRENCH_ONLY in french.paragraphs[2]["html"]
    assert recommendations.text_in(published, data, "de").language == "en"


def test_every_interface_language_and_version_is_rendered_once(db, published):
    rows = db.exec(
        select(RecommendationRendering).where(
            RecommendationRendering.recommendation_id == published.id
        )
    ).all()

    assert {row.language for row in rows} == {
        "en",
        "en:es",
        "en:fr",
        "es",
        "es:en",
        "es:fr",
        "fr",
        "fr:en",
        "fr:es",
    }
    html = {row.language: row.html for row in rows}
    assert FRENCH_ONLY in html["fr"] and FRENCH_ONLY in html["es:fr"]
    assert SPANISH_ONLY in html["es"] and ENGLISH_ONLY in html["es:en"]
    assert "Procès-verbal d’adoption" in html["fr:en"] and ENGLISH_ONLY in html["fr:en"]


def test_the_french_page_shows_the_french_text_names_and_alternates(client, published):
    url = f"/recommendations/{published.number}"

    page = client.get(url, params={"lang": "fr"}, headers={"Accept-Language": "fr"})

    assert page.status_code == 200
    text = page.text
    assert FRENCH_ONLY in text and ENGLISH_ONLY not in text and SPANISH_ONLY not in text
    assert '<div class="draft-text" lang="fr">' in text
    assert f"<title>{published.number} · Voies de migration de travail ·" in text
    for code in ("en", "es", "fr"):
        assert (
            f'<link rel="alternate" hreflang="{code}" href="http://testserver{url}?lang={code}">'
        ) in text
    assert f'<link rel="alternate" hreflang="x-default" href="http://testserver{url}">' in text
    # the switch to the other versions, each named in its own language
    assert "Fait également foi en" in text  # "Also authentic in"
    assert f'<a href="{url}?lang=en" hreflang="en" lang="en">English</a>' in text
    assert f'<a href="{url}?lang=es" hreflang="es" lang="es">Español</a>' in text
    # the words around the text, the group and the seats in French; a missing French name
    # in the default language, marked as such
    assert "Procès-verbal d’adoption" in text
    assert "Voies migratoires alternatives" in text and "Mexique" in text
    assert '<span lang="en">Migrant Communities Network</span>' in text
    assert "México" not in text
    assert f'href="http://testserver{url}.pdf?lang=fr"' in text


def test_a_reader_asking_for_another_version_keeps_their_interface(client, published):
    url = f"/recommendations/{published.number}"

    page = client.get(url, params={"lang": "fr"})  # an English reader

    assert FRENCH_ONLY in page.text and ENGLISH_ONLY not in page.text
    assert "Adoption record" in page.text and "Procès-verbal" not in page.text
    assert (
        '<article class="recommendation" aria-labelledby="recommendation-title" lang="en">'
        in page.text
    )
    # the names belong to the French version, marked as French in an English page
    assert '<dd><span lang="fr">Voies migratoires alternatives</span></dd>' in page.text
    assert '<span lang="fr">Mexique</span>' in page.text


def test_each_reader_gets_their_version_and_each_version_its_validators(client, published):
    url = f"/recommendations/{published.number}"

    english = client.get(url)
    spanish = client.get(url, headers={"Accept-Language": "es"})
    asked = client.get(url, params={"lang": "es"})
    french = client.get(url, params={"lang": "fr"})

    assert ENGLISH_ONLY in english.text and SPANISH_ONLY not in english.text
    assert SPANISH_ONLY in spanish.text and ENGLISH_ONLY not in spanish.text
    assert SPANISH_ONLY in asked.text
    assert len({english.headers["etag"], asked.headers["etag"], french.headers["etag"]}) == 3
    assert "Accept-Language" in french.headers["vary"]
    same = client.get(url, params={"lang": "fr"}, headers={"If-None-Match": french.headers["etag"]})
    other = client.get(
        url, params={"lang": "es"}, headers={"If-None-Match": french.headers["etag"]}
    )
    assert same.status_code == 304 and other.status_code == 200
    assert client.get(url, params={"lang": "de"}).status_code == 404


def test_the_french_pdf_contains_the_french_text(client, db, published):
    url = f"/recommendations/{published.number}.pdf"

    french = client.get(url, headers={"Accept-Language": "fr"})  # a French reader's
    english = client.get(url, params={"lang": "en"}, headers={"Accept-Language": "fr"})
    asked = client.get(url, params={"lang": "fr"})  # an English reader asks for the French

    assert french.status_code == 200 and french.headers["content-language"] == "fr"
    assert english.headers["content-language"] == "fr"  # the reader's, as its words are
    assert asked.headers["content-language"] == "en"
    assert FRENCH_ONLY in read(asked.content)[1] and "Adoption record" in read(asked.content)[1]
    assert french.headers["content-disposition"] == (
        f'inline; filename="{published.number}-fr.pdf"'
    )
    reader, text = read(french.content)
    assert reader.metadata.title == f"{published.number} · Voies de migration de travail"
    assert FRENCH_ONLY in text and "Visas pluriannuels." in text
    assert ENGLISH_ONLY not in text and "Mexique" in text
    assert "Procès-verbal d’adoption" in text
    assert ENGLISH_ONLY in read(english.content)[1]
    assert len({french.headers["etag"], english.headers["etag"], asked.headers["etag"]}) == 3
    assert (
        client.get(
            url, headers={"Accept-Language": "fr", "If-None-Match": french.headers["etag"]}
        ).status_code
        == 304
    )
    assert client.get(url, params={"lang": "de"}).status_code == 404


def test_the_spanish_feed_carries_the_spanish_entry(client, published):
    response = client.get("/recommendations.atom", params={"lang": "es"})

    assert response.status_code == 200
    feed = feedparser.parse(response.content)
    assert not feed.bozo and feed.feed.language == "es"
    assert feed.feed.id == "http://testserver/recommendations.atom?lang=es"
    assert feed.feed.title == "Test Council on Migration · Recomendaciones"
    entry = feed.entries[0]
    page = f"http://testserver/recommendations/{published.number}"
    assert entry.title == f"{published.number} · Vías laborales"
    assert entry.title_detail.language == "es"
    assert entry.id == entry.link == f"{page}?lang=es"
    assert entry.content[0].language == "es"
    assert SPANISH_ONLY in entry.content[0].value
    assert ENGLISH_ONLY not in entry.content[0].value
    assert entry.author == "Vías migratorias alternativas"
    assert {
        (link.get("hreflang"), link.href) for link in entry.links if link.type == "text/html"
    } == {("es", f"{page}?lang=es"), ("en", f"{page}?lang=en"), ("fr", f"{page}?lang=fr")}
    assert f"{published.number}.pdf?lang=es" in response.text
    english = client.get("/recommendations.atom")
    assert ENGLISH_ONLY in feedparser.parse(english.content).entries[0].content[0].value
    assert english.headers["etag"] != response.headers["etag"]
    assert client.get("/recommendations.atom", params={"lang": "de"}).status_code == 404


def test_the_api_answers_in_the_version_asked_for(client, published, spec):
    url = f"/api/v1/recommendations/{published.number}"

    body = checked(spec, client.get(url, params={"lang": "es"}), 200)

    assert body["title"] == "Vías laborales"
    assert (body["language"], body["original_language"]) == ("es", "en")
    assert body["languages"] == ["en", "es", "fr"]
    assert SPANISH_ONLY in body["markdown"] and ENGLISH_ONLY not in body["markdown"]
    assert body["paragraphs"][2]["markdown"] == SPANISH_ONLY
    assert body["paragraphs"][1]["footnotes"] == [1]
    assert body["working_group"]["name"] == "Vías migratorias alternativas"
    assert body["footnotes"][0]["seat"] == "México"
    assert body["api_url"] == f"http://testserver{url}?lang=es"
    assert [(v["language"], v["title"], v["url"]) for v in body["versions"]] == [
        ("en", "Labour pathways", f"http://testserver/recommendations/{published.number}?lang=en"),
        ("es", "Vías laborales", f"http://testserver/recommendations/{published.number}?lang=es"),
        (
            "fr",
            "Voies de migration de travail",
            f"http://testserver/recommendations/{published.number}?lang=fr",
        ),
    ]
    english = checked(spec, client.get(url), 200)
    assert english["language"] == "en" and ENGLISH_ONLY in english["markdown"]
    assert english["footnotes"][0]["seat"] == "Mexico"
    preferred = checked(spec, client.get(url, headers={"Accept-Language": "fr"}), 200)
    assert preferred["language"] == "fr" and FRENCH_ONLY in preferred["markdown"]
    listed = checked(spec, client.get("/api/v1/recommendations", params={"lang": "fr"}), 200)
    assert listed["items"][0]["title"] == "Voies de migration de travail"
    assert listed["links"]["self"].endswith("lang=fr&page=1")
    refused = checked(spec, client.get(url, params={"lang": "de"}), 400)
    assert refused["parameter"] == "lang"


def test_a_version_the_text_does_not_have_is_a_json_404(client, old_style, spec):
    url = f"/api/v1/recommendations/{old_style.number}"

    refused = checked(spec, client.get(url, params={"lang": "fr"}), 404)

    assert refused["error"] == "not_found" and refused["parameter"] == "lang"
    assert checked(spec, client.get(url, params={"lang": "en"}), 200)["languages"] == ["en"]


def test_search_finds_a_word_of_one_version_and_links_to_that_version(client, db, published):
    page = f"/recommendations/{published.number}"

    for query, language, title in (
        ("contratacion", "es", "Vías laborales"),
        ("plurianuales", "es", "Vías laborales"),
        ("recrutement", "fr", "Voies de migration de travail"),
        ("recruitment", "en", "Labour pathways"),
    ):
        found = client.get("/recommendations", params={"q": query})
        assert f'href="http://testserver{page}?lang={language}"' in found.text, query
        assert f'<span lang="{language}">{title}</span>' in found.text, query
    assert "No recommendation matches" in client.get("/recommendations", params={"q": "zzzz"}).text
    # accents folded, on either database
    shown = recommendations.library(db, recommendations.Filters(query="MIGRACION"), language="en")
    assert [r.number for r in shown.items] == [published.number]
    assert shown.shown[published.id].language == "es"
    api_found = client.get("/api/v1/recommendations", params={"q": "contratación"}).json()
    assert [(i["number"], i["language"]) for i in api_found["items"]] == [(published.number, "es")]


def test_search_matches_words_as_the_index_does():
    wanted = search.words("MIGRA contrat")
    assert search.matches("Ampliar la migración. Tarifas de contratación.", wanted)
    assert not search.matches("Labour migration pathways.", wanted)


def test_an_old_record_without_versions_still_renders(client, db, old_style):
    url = f"/recommendations/{old_style.number}"

    page = client.get(url)
    french_reader = client.get(url, headers={"Accept-Language": "fr"})
    document = client.get(f"{url}.pdf")
    feed = feedparser.parse(client.get("/recommendations.atom").content)
    answer = client.get(f"/api/v1/recommendations/{old_style.number}").json()

    assert page.status_code == 200 and "Asylum seekers are heard" in page.text
    assert 'hreflang="x-default"' not in page.text and "Also authentic in" not in page.text
    assert "Alternative migration pathways" in page.text and "Mexico" in page.text
    assert "Procès-verbal d’adoption" in french_reader.text
    assert '<div class="draft-text" lang="en">' in french_reader.text
    assert "Asylum seekers are heard" in read(document.content)[1]
    entry = feed.entries[0]
    assert entry.link == f"http://testserver{url}"
    assert "Asylum seekers are heard" in entry.content[0].value
    assert answer["languages"] == ["en"] and answer["url"] == f"http://testserver{url}"
    assert client.get(url, params={"lang": "es"}).status_code == 404
