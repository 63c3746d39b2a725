"""Issue 17: one text in three languages, from translation to the French public page.

In working group 4 of the demo (Panama's head chairs; no other browser test changes the group),
a draft Honduras sponsors was written in English, translated into Spanish and French, then
revised: paragraph 2 changed and paragraph 4 was added, so in both versions paragraph 2 is
outdated and paragraph 4 missing. Honduras's delegate, whose browser speaks Spanish, opens the
Spanish version, sees paragraph 2 marked outdated with what changed in the English, updates it,
saves and translates the next one (paragraph 4): the Spanish version is current. The chair
(Spanish too) tries to open a decision round and is told the French version is still missing
paragraph 4 and outdated in paragraph 2; once the French is done, the round opens. El Salvador's
delegate reads the round in Spanish, with the same paragraph numbers as the English text. After
adoption, an anonymous reader whose browser speaks French reads the recommendation in French
(text, working group and seats), finds the hreflang alternates and downloads the French PDF.

The journey runs with JavaScript; the translation step runs again without it, on a draft of
its own.
"""

from __future__ import annotations

import base64
import io
import re
import uuid
from dataclasses import dataclass

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect
from pypdf import PdfReader
from sqlmodel import Session, select

from council.database import Database, utcnow
from council.demo import _email
from council.models import Council, Person, Seat, SeatKind, SeatRole, WorkingGroup, WorkingGroupSeat
from council.permissions import load_actor
from tests.browser.conftest import ConsoleLog
from tests.browser.test_accessibility import assert_accessible
from workspaces import drafts, recommendations, rounds, versions
from workspaces.models import Draft, VersionParagraph

GROUP = "wg4"
GROUP_ES = "Factores económicos y ambientales de la migración"
GROUP_FR = "Facteurs économiques et environnementaux des migrations"
AUTHOR = _email("Marta Zelaya Funes")  # head of Honduras, which sponsors the draft
TRANSLATOR = _email("Óscar Andino Reyes")  # Honduras's delegate, translates into Spanish
TRANSLATOR_NO_JS = _email("Rogelio Castillo Pérez")  # Panama's delegate
SETUP_TRANSLATOR = _email("Marc-André Gagnon")  # Canada's delegate, as in the demo
CHAIR = _email("Itzel Batista Herrera")  # head of Panama, chairs working group 4
READER = _email("Carlos Alvarenga Sosa")  # El Salvador's delegate

# the group's recommendations are searched by the public reader journey: "drought" must keep
# finding only the demo's, so no text here says it in any language
HEADING = "# Commitments"
OPENING = "The member states should open seasonal work visas for farm workers of the region."
WAGE = "Seasonal workers are paid the same wage as local workers."
WAGE_2 = "Seasonal workers are paid the same wage as local workers from their first day."
HOUSING = "Employers provide decent housing at no cost to the workers."
REVIEW = "The council reviews these visas every two years."

TITLE = "Seasonal work visas for farm workers ({marker})"
TITLES = {
    "es": "Visas de trabajo temporal para trabajadores agrícolas ({marker})",
    "fr": "Visas de travail saisonnier pour les travailleurs agricoles ({marker})",
}
FIRST = {  # revision 1, translated before paragraph 2 changed and paragraph 4 was added
    "es": {
        HEADING: "# Compromisos",
        OPENING: "Los Estados miembros deberían abrir visas de trabajo temporal para los "
        "trabajadores agrícolas de la región.",
        WAGE: "Los trabajadores temporales reciben el mismo salario que los trabajadores locales.",
        HOUSING: "Los empleadores ofrecen una vivienda digna sin costo para los trabajadores.",
    },
    "fr": {
        HEADING: "# Engagements",
        OPENING: "Les États membres devraient ouvrir des visas de travail saisonnier aux "
        "travailleurs agricoles de la région.",
        WAGE: "Les travailleurs saisonniers reçoivent le même salaire que les travailleurs locaux.",
        HOUSING: "Les employeurs fournissent un logement décent sans frais pour les travailleurs.",
    },
}
WAGE_ES = (
    "Los trabajadores temporales reciben el mismo salario que los trabajadores locales "
    "desde su primer día."
)
REVIEW_ES = "El Consejo revisa estas visas cada dos años."
WAGE_FR = (
    "Les travailleurs saisonniers reçoivent le même salaire que les travailleurs locaux "
    "dès leur premier jour."
)
REVIEW_FR = "Le Conseil réexamine ces visas tous les deux ans."


@dataclass
class LanguageDraft:
    id: int
    title: str
    ids: list[str]  # paragraph ids of the latest revision, in order: [0] is the heading

    def pid(self, number: int) -> str:
        return self.ids[number]  # the heading is unnumbered, so paragraph n is at n


@pytest.fixture
def context_in(browser: Browser, browser_context_args: dict):
    """A new browser context whose locale (and so Accept-Language) is `locale`; pytest-
    playwright's new_context cannot override the session's "en-US"."""
    made: list[BrowserContext] = []

    def new(locale: str, *, javascript: bool = True) -> BrowserContext:
        context = browser.new_context(
            **{**browser_context_args, "locale": locale, "java_script_enabled": javascript}
        )
        made.append(context)
        return context

    yield new
    for context in made:
        context.close()


def _person(session: Session, email: str) -> Person:
    return session.exec(select(Person).where(Person.email == email)).one()


def _council(session: Session) -> Council:
    return session.exec(select(Council).order_by(Council.id).limit(1)).one()


def _text(blocks: list[str]) -> str:
    return "\n\n".join(blocks)


def start_translated_draft(live_database: Database, marker: str) -> LanguageDraft:
    """The draft as the journey finds it: revision 1 translated into Spanish and French (title
    and every paragraph), then revision 2 changes paragraph 2 and adds paragraph 4."""
    title = TITLE.format(marker=marker)
    with live_database.transaction() as session:
        group = session.exec(select(WorkingGroup).where(WorkingGroup.slug == GROUP)).one()
        honduras = session.exec(select(Seat).where(Seat.name == "Honduras")).one()
        author = _person(session, AUTHOR)
        draft = drafts.start_draft(
            session,
            by=author,
            group=group,
            title=title,
            purpose="Fair seasonal work for the workers of the region.",
            sponsor_seat_ids=[honduras.id],
            text=_text([HEADING, OPENING, WAGE, HOUSING]),
            language="en",
        )
        council = _council(session)
        actor = load_actor(session, _person(session, SETUP_TRANSLATOR), utcnow())
        for code, texts in FIRST.items():
            for p in drafts.paragraphs(session, drafts.latest_revision(session, draft)):
                versions.save_paragraph(
                    session,
                    actor=actor,
                    council=council,
                    draft=draft,
                    language=code,
                    paragraph_id=p.paragraph_id,
                    text=texts[p.source],
                    seen_original=p.source,
                    seen_translation="",
                    now=utcnow(),
                )
            versions.save_title(
                session,
                actor=actor,
                council=council,
                draft=draft,
                language=code,
                title=TITLES[code].format(marker=marker),
                purpose="",
                now=utcnow(),
            )
        drafts.revise(
            session,
            by=author,
            draft=draft,
            base_number=1,
            text=_text([HEADING, OPENING, WAGE_2, HOUSING, REVIEW]),
            summary="Equal pay from the first day; a review every two years.",
        )
        paragraphs = drafts.paragraphs(session, drafts.latest_revision(session, draft))
        assert [p.source for p in paragraphs] == [HEADING, OPENING, WAGE_2, HOUSING, REVIEW]
        assert [p.number for p in paragraphs] == [None, 1, 2, 3, 4]
        made = LanguageDraft(draft.id, title, [p.paragraph_id for p in paragraphs])
        states = {
            code: [r.state for r in versions.version(session, draft, paragraphs, code)]
            for code in FIRST
        }
    expected = ["current", "current", "outdated", "current", "missing"]
    assert states == {"es": expected, "fr": expected}, "revision 2 did not keep the ids"
    return made


def translate_in_database(
    live_database: Database, draft: LanguageDraft, language: str, texts: dict[str, str]
) -> None:
    """Canada's delegate saves `texts` (paragraph id -> translation) through the app's
    functions, as another translator working at the same time would."""
    with live_database.transaction() as session:
        row = session.get(Draft, draft.id)
        council = _council(session)
        actor = load_actor(session, _person(session, SETUP_TRANSLATOR), utcnow())
        originals = {
            p.paragraph_id: p
            for p in drafts.paragraphs(session, drafts.latest_revision(session, row))
        }
        for paragraph_id, text in texts.items():
            existing = session.get(VersionParagraph, (draft.id, language, paragraph_id))
            versions.save_paragraph(
                session,
                actor=actor,
                council=council,
                draft=row,
                language=language,
                paragraph_id=paragraph_id,
                text=text,
                seen_original=originals[paragraph_id].source,
                seen_translation=existing.source if existing else "",
                now=utcnow(),
            )


def adopt(live_database: Database, draft: LanguageDraft) -> str:
    """The head of every member state supports the text in the open decision round and the
    chair closes it (as tests/workspaces/publishing.py does): the recommendation's number."""
    with live_database.transaction() as session:
        row = session.get(Draft, draft.id)
        round_ = rounds.open_round_of(session, row)
        assert round_ is not None and round_.kind == "decision"
        seats = session.exec(
            select(Seat)
            .join(WorkingGroupSeat, WorkingGroupSeat.seat_id == Seat.id)
            .where(
                WorkingGroupSeat.working_group_id == row.working_group_id,
                Seat.kind == SeatKind.MEMBER_STATE,
            )
            .order_by(Seat.id)
        ).all()
        for seat in seats:
            head = session.exec(
                select(Person).where(Person.seat_id == seat.id, Person.seat_role == SeatRole.HEAD)
            ).one()
            rounds.cast_position(
                session, round_, by=head, seat=seat, form=rounds.PositionForm("support")
            )
        rounds.close_round(session, round_, by=_person(session, CHAIR))
    with live_database.transaction(write=False) as session:
        published = recommendations.of_draft(session, session.get(Draft, draft.id))
        assert published is not None, "the draft was not adopted"
        return published.number


def sign_in_es(page: Page, email: str, password: str) -> None:
    """Sign in through the form, which the browser's language shows in Spanish."""
    page.goto("/sign-in")
    expect(page.locator("html")).to_have_attribute("lang", "es")
    page.get_by_label("Correo electrónico").fill(email)
    page.get_by_label("Contraseña").fill(password)
    page.get_by_role("button", name="Iniciar sesión", exact=True).click()
    expect(page).not_to_have_url(re.compile(r"/sign-in(\?|$)"))


def _counts(page: Page, language_name: str) -> list[str]:
    """The versions overview's row for a language: title, current, outdated, missing."""
    row = page.get_by_role("row", name=re.compile(rf"^{language_name}\b"))
    return [cell.strip() for cell in row.locator("td").all_inner_texts()]


def translate_into_spanish(page: Page, draft: LanguageDraft, *, javascript: bool) -> None:
    """From the draft page, the Spanish version: paragraph 2 outdated (with what changed) is
    updated, then "Save and translate the next one" leads to the missing paragraph 4."""
    page.goto(f"/drafts/{draft.id}")
    page.get_by_role("navigation", name="Este borrador").get_by_role(
        "link", name="Versiones lingüísticas"
    ).click()
    expect(page).to_have_url(re.compile(rf"/drafts/{draft.id}/versions$"))
    expect(page.get_by_role("heading", level=1)).to_contain_text("Versiones lingüísticas")
    assert _counts(page, "Español")[1:] == ["3", "1", "1"]  # current, outdated, missing
    assert _counts(page, "Français")[1:] == ["3", "1", "1"]
    if javascript:
        assert_accessible(page)

    page.get_by_role("link", name="Español", exact=True).click()
    expect(page).to_have_url(re.compile(rf"/drafts/{draft.id}/versions/es$"))
    expect(page.get_by_role("heading", level=1)).to_contain_text(
        re.compile("Versión en español", re.IGNORECASE)
    )
    outdated = page.locator(f"tr#v-{draft.pid(2)}")
    expect(outdated.locator(".badge")).to_have_text("Por actualizar")
    expect(outdated).to_contain_text(FIRST["es"][WAGE])  # the translation as it stands
    expect(outdated).to_contain_text("El original cambió en la versión 2")
    expect(outdated.locator(".diff-text ins")).to_contain_text("from their first day")
    expect(page.locator(f"tr#v-{draft.pid(4)} .badge")).to_have_text("Sin traducir")
    expect(page.locator(f"tr#v-{draft.pid(1)} .badge")).to_have_text("Al día")
    if javascript:
        assert_accessible(page)

    outdated.get_by_role("link", name=re.compile(r"^Actualizar la traducción")).click()
    expect(page).to_have_url(
        re.compile(rf"/drafts/{draft.id}/versions/es/paragraphs/{draft.pid(2)}$")
    )
    expect(page.get_by_role("heading", level=1)).to_contain_text("Párrafo 2")
    original = page.get_by_role("region", name=re.compile(r"^Original"))
    expect(original.locator(".quoted-paragraph")).to_have_text(WAGE_2)
    expect(original.locator(".diff-text ins")).to_contain_text("from their first day")
    text = page.get_by_label("Traducción (Markdown)")
    expect(text).to_have_value(FIRST["es"][WAGE])
    if javascript:
        assert_accessible(page)
    text.fill(WAGE_ES)
    page.get_by_role("button", name="Guardar y traducir el siguiente").click()

    # the next one to do: paragraph 4, which has no translation yet
    expect(page).to_have_url(
        re.compile(rf"/drafts/{draft.id}/versions/es/paragraphs/{draft.pid(4)}$")
    )
    expect(page.get_by_role("heading", level=1)).to_contain_text("Párrafo 4")
    expect(
        page.get_by_role("region", name=re.compile(r"^Original")).locator(".badge")
    ).to_have_text("Sin traducir")
    expect(page.get_by_label("Traducción (Markdown)")).to_have_value("")
    # the last one to do: no "next one" to go to
    expect(page.get_by_role("button", name="Guardar y traducir el siguiente")).to_have_count(0)
    page.get_by_label("Traducción (Markdown)").fill(REVIEW_ES)
    page.get_by_role("button", name="Guardar", exact=True).click()

    expect(page).to_have_url(re.compile(rf"/drafts/{draft.id}/versions/es(#v-{draft.pid(4)})?$"))
    for number in range(5):
        expect(page.locator(f"tr#v-{draft.pid(number)} .badge")).to_have_text("Al día")
    expect(page.locator(f"tr#v-{draft.pid(2)}")).to_contain_text(WAGE_ES)
    expect(page.locator(f"tr#v-{draft.pid(2)} .diff-text")).to_have_count(0)
    expect(page.locator(f"tr#v-{draft.pid(4)}")).to_contain_text(REVIEW_ES)

    page.get_by_role("navigation", name="Este borrador").get_by_role(
        "link", name="Versiones lingüísticas"
    ).click()
    assert _counts(page, "Español")[1:] == ["5", "0", "0"]
    assert _counts(page, "Français")[1:] == ["3", "1", "1"]  # not touched


def _download(page: Page, href: str) -> dict:
    """`href` fetched by the page, so with the browser's own Accept-Language (the context's
    APIRequestContext does not send the locale's): status, headers, body in base64."""
    return page.evaluate(
        """async href => {
        const response = await fetch(href);
        const bytes = new Uint8Array(await response.arrayBuffer());
        let binary = "";
        for (let i = 0; i < bytes.length; i += 0x8000) {
            binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
        }
        return {status: response.status, type: response.headers.get("content-type"),
                language: response.headers.get("content-language"),
                disposition: response.headers.get("content-disposition"), body: btoa(binary)};
    }""",
        href,
    )


def _numbers(page: Page) -> list[tuple[str, str | None]]:
    """The round text's paragraphs: (stable id, number shown, or None for a heading)."""
    return [
        tuple(pair)
        for pair in page.locator("#round-text div.paragraph").evaluate_all(
            """sections => sections.map(s => {
             const n = s.querySelector('.paragraph-number');
             return [s.id, n ? n.textContent.replace(/\\D/g, '') : null];
           })"""
        )
    ]


def test_a_text_translated_put_to_a_round_read_in_spanish_and_published_in_french(
    context_in, demo_password, live_database
):
    log = ConsoleLog()
    marker = uuid.uuid4().hex[:8]
    draft = start_translated_draft(live_database, marker)

    # Honduras's delegate, in Spanish, brings the Spanish version up to date
    delegate = log.watch(context_in("es-ES").new_page())
    sign_in_es(delegate, TRANSLATOR, demo_password)
    delegate.goto(f"/groups/{GROUP}")
    expect(delegate.get_by_role("heading", level=1)).to_contain_text(GROUP_ES)
    translate_into_spanish(delegate, draft, javascript=True)

    # the chair tries to open a decision round: the French version is not current
    chair = log.watch(context_in("es-ES").new_page())
    sign_in_es(chair, CHAIR, demo_password)
    chair.goto(f"/drafts/{draft.id}")
    chair.get_by_role("link", name="Abrir una ronda").click()
    expect(chair).to_have_url(re.compile(rf"/drafts/{draft.id}/rounds/new$"))
    lacking = chair.locator("#versions-lacking")
    expect(lacking).to_contain_text(re.compile("Versión en francés", re.IGNORECASE))
    expect(lacking).to_contain_text("sin traducir: 4")
    expect(lacking).to_contain_text("por actualizar: 2")
    expect(lacking).not_to_contain_text(re.compile("español", re.IGNORECASE))
    expect(lacking).not_to_contain_text("el título")
    expect(chair.get_by_label("Ronda de decisión")).to_be_checked()
    chair.get_by_role("button", name="Abrir la ronda").click()
    expect(chair).to_have_url(re.compile(rf"/drafts/{draft.id}/rounds/new$"))  # refused
    refusal = chair.get_by_role("group", name="Tipo de ronda")
    expect(refusal).to_contain_text("Queda por traducir")
    expect(refusal).to_contain_text(
        re.compile(r"Versión en francés — sin traducir: 4, por actualizar: 2", re.IGNORECASE)
    )
    assert_accessible(chair)
    lacking.get_by_role("link", name=re.compile("Versión en francés", re.IGNORECASE)).click()
    expect(chair).to_have_url(re.compile(rf"/drafts/{draft.id}/versions/fr$"))
    expect(chair.locator(f"tr#v-{draft.pid(2)} .badge")).to_have_text("Por actualizar")
    expect(chair.locator(f"tr#v-{draft.pid(4)} .badge")).to_have_text("Sin traducir")

    # Canada's delegate finishes the French meanwhile; now the round opens
    translate_in_database(
        live_database, draft, "fr", {draft.pid(2): WAGE_FR, draft.pid(4): REVIEW_FR}
    )
    chair.goto(f"/drafts/{draft.id}/rounds/new")
    expect(chair.locator("#versions-lacking")).to_have_count(0)
    chair.get_by_role("button", name="Abrir la ronda").click()
    expect(chair).to_have_url(re.compile(r"/rounds/\d+$"))
    expect(chair.get_by_role("heading", level=1)).to_contain_text("Ronda de decisión")
    round_url = chair.url

    # a seat's delegate reads the round in Spanish: the same numbers as the English text
    reader = log.watch(context_in("es-ES").new_page())
    sign_in_es(reader, READER, demo_password)
    reader.goto(round_url)
    text = reader.locator("#round-text .draft-text")
    expect(text).to_have_attribute("lang", "es")
    expect(text.locator(f"#p-{draft.pid(2)} .paragraph-body")).to_have_text(WAGE_ES)
    expect(text.locator(f"#p-{draft.pid(4)} .paragraph-body")).to_have_text(REVIEW_ES)
    expect(text.locator(f"#p-{draft.pid(0)} .paragraph-body")).to_have_text("Compromisos")
    expect(reader.get_by_text(WAGE_2, exact=True)).to_have_count(0)
    spanish_numbers = _numbers(reader)
    assert spanish_numbers == [
        (f"p-{pid}", number)
        for pid, number in zip(draft.ids, [None, "1", "2", "3", "4"], strict=True)
    ]
    languages = reader.get_by_role("navigation", name="Idioma del texto")
    expect(languages.get_by_role("link")).to_have_text(["English", "Español", "Français"])
    expect(languages.get_by_role("link", name="Español")).to_have_attribute("aria-current", "true")
    assert_accessible(reader)
    languages.get_by_role("link", name="English").click()
    expect(reader).to_have_url(re.compile(r"\?text=en#round-text$"))
    expect(text).to_have_attribute("lang", "en")
    expect(text.locator(f"#p-{draft.pid(2)} .paragraph-body")).to_have_text(WAGE_2)
    expect(reader.locator("html")).to_have_attribute("lang", "es")  # the words around stay
    assert _numbers(reader) == spanish_numbers
    reader.get_by_role("navigation", name="Idioma del texto").get_by_role(
        "link", name="Français"
    ).click()
    expect(text).to_have_attribute("lang", "fr")
    expect(text.locator(f"#p-{draft.pid(2)} .paragraph-body")).to_have_text(WAGE_FR)
    assert _numbers(reader) == spanish_numbers

    # adopted; an anonymous reader in French reads it in French
    number = adopt(live_database, draft)
    context = context_in("fr-FR")
    public = log.watch(context.new_page())
    response = public.goto(f"/recommendations/{number}")
    assert response is not None and response.status == 200
    expect(public.locator("html")).to_have_attribute("lang", "fr")
    expect(public.get_by_role("heading", level=1)).to_have_text(TITLES["fr"].format(marker=marker))
    adopted = public.locator(".recommendation-text .draft-text")
    expect(adopted).to_have_attribute("lang", "fr")
    expect(adopted.locator(f"#p-{draft.pid(2)} .paragraph-body")).to_have_text(WAGE_FR)
    expect(adopted.locator(f"#p-{draft.pid(4)} .paragraph-body")).to_have_text(REVIEW_FR)
    expect(adopted.locator(f"#p-{draft.pid(2)} .paragraph-number")).to_contain_text("2")
    expect(public.get_by_text(WAGE_2, exact=True)).to_have_count(0)
    facts = public.locator(".recommendation-header dl.facts")
    expect(facts).to_contain_text(GROUP_FR)
    expect(public.get_by_role("navigation", name="Fil d’Ariane")).to_contain_text(GROUP_FR)
    positions = public.locator("table.positions-table")
    for french, english in (
        ("États-Unis", "United States"),
        ("Mexique", "Mexico"),
        ("Belize", "Belice"),
    ):
        expect(positions.locator("tbody th", has_text=french)).to_have_count(1)
        expect(positions).not_to_contain_text(english)

    # hreflang: the page and the PDF in each language, and the other versions linked
    head = public.locator("head")
    for code in ("en", "es", "fr"):
        expect(head.locator(f"link[rel=alternate][hreflang={code}]:not([type])")).to_have_attribute(
            "href", re.compile(rf"/recommendations/{number}\?lang={code}$")
        )
        expect(
            head.locator(f"link[rel=alternate][type='application/pdf'][hreflang={code}]")
        ).to_have_attribute("href", re.compile(rf"/recommendations/{number}\.pdf\?lang={code}$"))
    expect(head.locator("link[rel=alternate][hreflang=x-default]")).to_have_attribute(
        "href", re.compile(rf"/recommendations/{number}$")
    )
    others = public.locator(".version-switch a")
    expect(others).to_have_count(2)
    expect(others.nth(0)).to_have_attribute("hreflang", "en")
    expect(others.nth(1)).to_have_attribute("hreflang", "es")
    assert_accessible(public)

    # the French PDF
    link = public.get_by_role("link", name="Télécharger en PDF")
    href = link.get_attribute("href")
    assert href is not None and href.endswith(f"/recommendations/{number}.pdf?lang=fr"), href
    pdf = _download(public, href)
    assert pdf["status"] == 200, pdf["status"]
    assert pdf["type"] == "application/pdf"
    assert pdf["language"] == "fr"  # the words around the text too
    assert f'filename="{number}-fr.pdf"' in pdf["disposition"]
    body = base64.b64decode(pdf["body"])
    assert body.startswith(b"%PDF")
    words = " ".join("\n".join(p.extract_text() for p in PdfReader(io.BytesIO(body)).pages).split())
    for french in (TITLES["fr"].format(marker=marker), REVIEW_FR, "Mexique", GROUP_FR):
        assert french in words, f"{french!r} is not in the French PDF: {words[:2000]}"
    assert WAGE_2 not in words and "Mexico" not in words

    # the same page asked for in Spanish: the Spanish text, the words around in French
    public.goto(f"/recommendations/{number}?lang=es")
    expect(public.locator("html")).to_have_attribute("lang", "fr")
    expect(adopted).to_have_attribute("lang", "es")
    expect(adopted.locator(f"#p-{draft.pid(2)} .paragraph-body")).to_have_text(WAGE_ES)
    assert public.request.get(f"/recommendations/{number}?lang=de").status == 404

    assert delegate.evaluate("typeof window.htmx") == "object", "htmx did not load"
    errors = [
        line
        for line in log.lines
        if line.startswith(("pageerror", "error"))
        and not (" 409 " in line and line.endswith(f"/drafts/{draft.id}/rounds/new)"))
    ]  # but the round refused on purpose
    assert not errors, "\n".join(errors)
    assert not log.csp_violations(), "\n".join(log.csp_violations())


def test_without_javascript_a_delegate_brings_the_spanish_version_up_to_date(
    context_in, demo_password, live_database
):
    log = ConsoleLog()
    draft = start_translated_draft(live_database, uuid.uuid4().hex[:8])
    page = log.watch(context_in("es-ES", javascript=False).new_page())
    sign_in_es(page, TRANSLATOR_NO_JS, demo_password)
    translate_into_spanish(page, draft, javascript=False)
    assert page.evaluate("typeof window.htmx") == "undefined"
    assert not log.csp_violations(), "\n".join(log.csp_violations())
