"""Demo drafts: one per working group, from the task force's recommendations, each revised.

Each revision is written by a different person of the group and really changes the text (an
edit, an added paragraph, a moved one), through start_draft and revise, so the audit log, the
history and the comparisons look as they would after real work. A few drafts carry comment
threads (a reply, a resolved thread, one on a paragraph changed since, one hidden by the chair),
written through the same comment functions.
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from sqlmodel import Session, select

from council.models import Person, Seat, WorkingGroup
from council.seats import current_chairs
from council.settings import LANGUAGES
from workspaces import comments, drafts, rounds
from workspaces.models import Draft

CS = "Regional Civil Society Coalition on Migration and Asylum"
MIGRANTS = "Central American Migrant Communities Network"
ACADEMIA = "Inter-University Network for Migration Studies"
BUSINESS = "Business Council for Fair Labour Mobility"


@dataclass(frozen=True)
class DemoRevision:
    author: tuple[str, str]  # ("head" | "delegate", seat name)
    summary: str
    blocks: tuple[str, ...]
    days_ago: int


@dataclass(frozen=True)
class DemoDraft:
    group: int
    title: str
    purpose: str
    language: str
    sponsors: tuple[str, ...]
    revisions: tuple[DemoRevision, ...]


def text(blocks: tuple[str, ...]) -> str:
    """Markdown from blocks: list items stay in one tight list, the rest are paragraphs."""
    out = blocks[0]
    for before, block in zip(blocks, blocks[1:], strict=False):
        tight = before.startswith("- ") and block.startswith("- ")
        out += ("\n" if tight else "\n\n") + block
    return out


# Working group 1 — humanitarian protection (English)
P1_HEAD = "# Recommendation"
P1_REC = (
    "The member states should double the capacity of their national asylum systems within "
    "three years, so that people in need of protection can find it in the first safe country "
    "they reach rather than only at the end of a dangerous journey."
)
P1_MEASURES = "# Measures"
P1_STAFF = (
    "- Fund additional eligibility officers and interpreters in the national asylum "
    "authorities of Mexico, Guatemala, Costa Rica and Panama, with a regional target of "
    "deciding first-instance claims within six months."
)
P1_STAFF_2 = (
    "- Fund additional eligibility officers and interpreters in the national asylum "
    "authorities of Mexico, Guatemala, Costa Rica, Panama and Belize from a pooled regional "
    "budget, with a target of deciding first-instance claims within six months."
)
P1_TRAINING = (
    "- Establish a regional training programme on refugee status determination, drawing on "
    "the expertise of UNHCR and of the national authorities."
)
P1_INFO = (
    "- Guarantee access to legal information at border crossings and in reception centres, "
    "in languages that asylum seekers understand."
)
P1_RECEPTION = (
    "- Support community-based reception run with local authorities and faith-based and "
    "civil-society organisations, as an alternative to large closed centres."
)
P1_CHILDREN = (
    "Children travelling alone should be referred promptly to child-protection authorities "
    "and should not be held in immigration detention."
)
P1_CHILDREN_2 = (
    "Children travelling alone must be referred to child-protection authorities within 24 "
    "hours of being identified, and must never be held in immigration detention."
)
P1_FAMILY = (
    "Families must not be separated at any stage of the asylum procedure. Where members of a "
    "family have reached different countries of the region, the states concerned should "
    "process their claims together."
)
P1_REPORT = (
    "Progress should be reported to the council each year, using common indicators on the "
    "number of claims, decision times and recognition rates."
)

# Working group 2 — co-responsibility (French)
P2_HEAD = "# Recommandation"
P2_REC = (
    "Les États membres devraient créer un mécanisme régional de solidarité par lequel chacun "
    "s'engage, selon ses capacités, à soutenir les pays qui accueillent le plus grand nombre "
    "de personnes déplacées."
)
P2_COMMIT_HEAD = "# Engagements"
P2_PLEDGES = (
    "- Chaque État membre présente tous les deux ans des engagements chiffrés : places de "
    "réinstallation, financement des systèmes d'accueil ou expertise technique."
)
P2_PLEDGES_2 = (
    "- Chaque État membre présente, lors de chaque réunion ministérielle du Conseil, des "
    "engagements chiffrés : places de réinstallation, financement des systèmes d'accueil ou "
    "expertise technique."
)
P2_PUBLISH = (
    "- Les engagements sont publiés et leur mise en œuvre fait l'objet d'un rapport annuel "
    "au Conseil."
)
P2_CONTINGENCY = (
    "- Les pays de transit et de destination élaborent ensemble des plans de contingence pour "
    "les mouvements massifs et soudains de population."
)
P2_LOCAL = (
    "Les collectivités locales qui accueillent des personnes déplacées doivent être associées "
    "à la définition des engagements et recevoir directement une part des fonds mobilisés."
)
P2_SCOPE = (
    "Le mécanisme ne remplace pas les obligations de chaque État au titre du droit "
    "international des réfugiés ; il les complète."
)

# Working group 3 — rule of law and anti-corruption (Spanish)
P3_HEAD = "# Recomendación"
P3_REC = (
    "Los Estados miembros deberían apoyar, con financiamiento plurianual y asistencia técnica, "
    "a las instituciones que combaten la corrupción y la impunidad en los países de origen de "
    "la migración, en particular las fiscalías, los órganos de control y el poder judicial."
)
P3_MEASURES = "# Medidas"
P3_FUND = (
    "- Crear un fondo regional para la independencia judicial, con criterios públicos de "
    "asignación y evaluación externa."
)
P3_FUND_2 = (
    "- Crear un fondo regional para la independencia judicial, con criterios públicos de "
    "asignación, auditoría independiente y evaluación externa cada dos años."
)
P3_PROTECT = (
    "- Proteger a periodistas, defensores de derechos humanos y denunciantes que revelan actos "
    "de corrupción, incluida la posibilidad de protección internacional cuando su vida corre "
    "peligro."
)
P3_SECURITY = (
    "- Condicionar la cooperación en materia de seguridad al respeto de los derechos humanos y "
    "a la rendición de cuentas de las fuerzas policiales."
)
P3_CIVIL = (
    "- Garantizar la participación de las organizaciones de la sociedad civil en el "
    "seguimiento de estas medidas, con acceso a la información pública necesaria."
)
P3_WHY = (
    "La corrupción y la debilidad institucional figuran entre las causas principales por las "
    "que las personas abandonan sus comunidades; sin instituciones confiables, ninguna "
    "inversión económica será sostenible."
)
P3_WHY_2 = (
    "La corrupción y la debilidad institucional figuran entre las causas principales por las "
    "que las personas abandonan sus comunidades: sin instituciones confiables, ninguna "
    "inversión económica ni programa social será sostenible."
)

# Working group 4 — climate adaptation and investment (English)
P4_HEAD = "# Recommendation"
P4_REC = (
    "The member states should mobilise at least USD 2 billion over five years for climate "
    "adaptation in the Central American Dry Corridor, where repeated drought and crop failure "
    "have become a leading cause of displacement."
)
P4_PRIORITIES = "# Priorities"
P4_WATER = (
    "- Small-scale irrigation and water harvesting for smallholder farmers, with priority for "
    "the municipalities with the highest rates of emigration."
)
P4_INSURANCE = (
    "- Parametric crop insurance that pays out automatically when rainfall falls below an "
    "agreed threshold."
)
P4_WARNING = (
    "- Early-warning systems for drought, hurricanes and floods, shared between the national "
    "meteorological services."
)
P4_PRIVATE = (
    "Public funds should be used to attract private investment in climate-resilient "
    "agriculture and local value chains, through guarantees and blended finance, so that "
    "young people have a reason and a means to stay."
)
P4_MOBILITY = (
    "Where adaptation is no longer possible, planned relocation and regular migration should "
    "be available as forms of adaptation, decided with the communities concerned."
)
P4_MOBILITY_2 = (
    "Where adaptation in place is no longer possible, planned relocation and regular "
    "migration should be recognised as forms of adaptation, and decided with the communities "
    "concerned and their local authorities."
)

# Working group 5 — labour pathways (English)
P5_HEAD = "# Recommendation"
P5_REC = (
    "The member states should increase labour migration pathways from Central America by at "
    "least 50,000 places in the next two years, in sectors with documented labour shortages."
)
P5_REC_2 = (
    "The member states should increase labour migration pathways from El Salvador, Guatemala "
    "and Honduras by at least 50,000 places in the next two years, in sectors with documented "
    "labour shortages, with a fair share for women and for rural areas."
)
P5_HOW = "# How"
P5_SEASONAL = (
    "- Expand seasonal and temporary programmes in agriculture, construction, care work and "
    "hospitality, with multi-year visas that allow workers to return year after year."
)
P5_PORTABLE = (
    "- Allow workers to change employer within the same sector without losing their status."
)
P5_MATCH = (
    "- Create a regional job-matching service run jointly by the public employment services "
    "of the countries of origin and destination."
)
P5_FEES = (
    "Workers must never pay recruitment fees. Employers bear the cost of recruitment, and "
    "recruiters who charge workers are excluded from the programmes."
)
P5_RIGHTS = (
    "Every worker in these programmes has the same labour rights as national workers, "
    "including access to complaint mechanisms without fear of losing their visa."
)
P5_REVIEW = (
    "The council reviews the number of places and the conditions of work every year, with "
    "employers, trade unions and migrant organisations."
)

# Working group 6 — integration and narratives (English)
P6_HEAD = "# Recommendation"
P6_REC = (
    "The member states should support the economic and social reintegration of returnees "
    "and the integration of migrants in host communities, and promote public narratives on "
    "migration that rest on facts."
)
P6_MEASURES = "# Measures"
P6_RETURNEES = (
    "- Reception services for returnees at airports and border posts, with access to "
    "identity documents, health care and job placement within the first month."
)
P6_SKILLS = (
    "- Recognition of skills and qualifications acquired abroad, so that returnees and "
    "migrants can work in their trade."
)
P6_SKILLS_2 = (
    "- Mutual recognition of skills, diplomas and qualifications acquired abroad, so that "
    "returnees and migrants can work in their trade without starting again."
)
P6_MEDIA = (
    "- Training for journalists and public officials on reporting about migration, developed "
    "with migrant-led organisations."
)
P6_DATA = (
    "Member states should publish comparable data on migration, return and integration every "
    "year, so that public debate can rest on the same facts across the region."
)
P6_VOICE = (
    "Migrants and returnees speak for themselves: campaigns about migration should be "
    "designed with them, not only about them."
)


@dataclass(frozen=True)
class DemoReply:
    author: tuple[str, str]
    body: str
    hours_ago: float


@dataclass(frozen=True)
class DemoComment:
    group: int
    revision: int
    """The revision the author was reading."""
    paragraph: str | None
    """The block commented on, as it read in that revision; None for the whole draft."""
    author: tuple[str, str]
    body: str
    hours_ago: float
    replies: tuple[DemoReply, ...] = ()
    resolved: bool = False
    hidden: str = ""
    """A reason: the group's acting chair hid the comment."""


DEMO_DRAFTS = (
    DemoDraft(
        group=1,
        title="Strengthen asylum capacity and protection across the region",
        purpose="Make protection available in the first safe country, closer to home.",
        language="en",
        sponsors=("Costa Rica", "Mexico", CS),
        revisions=(
            DemoRevision(
                ("head", "Costa Rica"),
                "",
                (
                    P1_HEAD,
                    P1_REC,
                    P1_MEASURES,
                    P1_STAFF,
                    P1_TRAINING,
                    P1_INFO,
                    P1_CHILDREN,
                    P1_REPORT,
                ),
                24,
            ),
            DemoRevision(
                ("head", CS),
                "Adds community-based reception and family unity; sets a 24-hour "
                "limit for referring children.",
                (
                    P1_HEAD,
                    P1_REC,
                    P1_MEASURES,
                    P1_STAFF,
                    P1_TRAINING,
                    P1_INFO,
                    P1_RECEPTION,
                    P1_CHILDREN_2,
                    P1_FAMILY,
                    P1_REPORT,
                ),
                13,
            ),
            DemoRevision(
                ("delegate", "Costa Rica"),
                "Moves the reporting paragraph up and adds Belize and pooled funding.",
                (
                    P1_HEAD,
                    P1_REC,
                    P1_REPORT,
                    P1_MEASURES,
                    P1_STAFF_2,
                    P1_TRAINING,
                    P1_INFO,
                    P1_RECEPTION,
                    P1_CHILDREN_2,
                    P1_FAMILY,
                ),
                4,
            ),
        ),
    ),
    DemoDraft(
        group=2,
        title="Partager la responsabilité : un mécanisme régional de solidarité",
        purpose="Des engagements chiffrés et publics pour soutenir les pays qui accueillent "
        "le plus.",
        language="fr",
        sponsors=("Canada", "Mexico", ACADEMIA),
        revisions=(
            DemoRevision(
                ("head", "Canada"),
                "",
                (P2_HEAD, P2_REC, P2_COMMIT_HEAD, P2_PLEDGES, P2_PUBLISH, P2_CONTINGENCY, P2_SCOPE),
                20,
            ),
            DemoRevision(
                ("head", ACADEMIA),
                "Ajoute un paragraphe sur les collectivités locales ; les engagements "
                "suivent le calendrier des réunions ministérielles.",
                (
                    P2_HEAD,
                    P2_REC,
                    P2_COMMIT_HEAD,
                    P2_PLEDGES_2,
                    P2_PUBLISH,
                    P2_CONTINGENCY,
                    P2_LOCAL,
                    P2_SCOPE,
                ),
                9,
            ),
            DemoRevision(
                ("delegate", "Canada"),
                "Place le paragraphe sur la portée du mécanisme juste après la recommandation.",
                (
                    P2_HEAD,
                    P2_REC,
                    P2_SCOPE,
                    P2_COMMIT_HEAD,
                    P2_PLEDGES_2,
                    P2_PUBLISH,
                    P2_CONTINGENCY,
                    P2_LOCAL,
                ),
                2,
            ),
        ),
    ),
    DemoDraft(
        group=3,
        title="Fortalecer el Estado de derecho y la lucha contra la corrupción",
        purpose="Apoyo sostenido a fiscalías, órganos de control y poder judicial en los "
        "países de origen.",
        language="es",
        sponsors=("Guatemala", "Honduras", CS),
        revisions=(
            DemoRevision(
                ("delegate", "Guatemala"),
                "",
                (P3_HEAD, P3_REC, P3_MEASURES, P3_FUND, P3_PROTECT, P3_SECURITY, P3_WHY),
                18,
            ),
            DemoRevision(
                ("head", "Honduras"),
                "Añade la participación de la sociedad civil y una auditoría "
                "independiente del fondo.",
                (
                    P3_HEAD,
                    P3_REC,
                    P3_MEASURES,
                    P3_FUND_2,
                    P3_PROTECT,
                    P3_SECURITY,
                    P3_CIVIL,
                    P3_WHY,
                ),
                8,
            ),
            DemoRevision(
                ("delegate", CS),
                "Sube la justificación al inicio y la amplía a los programas sociales.",
                (
                    P3_HEAD,
                    P3_WHY_2,
                    P3_REC,
                    P3_MEASURES,
                    P3_FUND_2,
                    P3_PROTECT,
                    P3_SECURITY,
                    P3_CIVIL,
                ),
                1,
            ),
        ),
    ),
    DemoDraft(
        group=4,
        title="Invest in climate adaptation in the Dry Corridor to reduce forced displacement",
        purpose="Adaptation finance where drought drives people to leave.",
        language="en",
        sponsors=("Panama", "Honduras", BUSINESS),
        revisions=(
            DemoRevision(
                ("head", "Panama"),
                "",
                (P4_HEAD, P4_REC, P4_PRIORITIES, P4_WATER, P4_INSURANCE, P4_WARNING, P4_MOBILITY),
                15,
            ),
            DemoRevision(
                ("head", BUSINESS),
                "Adds blended finance for private investment; clarifies planned relocation.",
                (
                    P4_HEAD,
                    P4_REC,
                    P4_PRIORITIES,
                    P4_WATER,
                    P4_INSURANCE,
                    P4_WARNING,
                    P4_PRIVATE,
                    P4_MOBILITY_2,
                ),
                5,
            ),
        ),
    ),
    DemoDraft(
        group=5,
        title="Increase labour migration pathways from Central America by at least 50,000 "
        "in the next two years",
        purpose="Safe, legal and fair work routes instead of irregular journeys.",
        language="en",
        sponsors=("Mexico", "Canada", "United States", BUSINESS),
        revisions=(
            DemoRevision(
                ("delegate", "Mexico"),
                "",
                (P5_HEAD, P5_REC, P5_HOW, P5_SEASONAL, P5_PORTABLE, P5_MATCH, P5_RIGHTS),
                21,
            ),
            DemoRevision(
                ("head", "United States"),
                "Names the countries of origin and adds a fair share for women and "
                "rural areas; adds a yearly review.",
                (
                    P5_HEAD,
                    P5_REC_2,
                    P5_HOW,
                    P5_SEASONAL,
                    P5_PORTABLE,
                    P5_MATCH,
                    P5_RIGHTS,
                    P5_REVIEW,
                ),
                11,
            ),
            DemoRevision(
                ("head", MIGRANTS),
                "Adds the ban on recruitment fees and puts workers' rights first.",
                (
                    P5_HEAD,
                    P5_REC_2,
                    P5_RIGHTS,
                    P5_FEES,
                    P5_HOW,
                    P5_SEASONAL,
                    P5_PORTABLE,
                    P5_MATCH,
                    P5_REVIEW,
                ),
                3,
            ),
        ),
    ),
    DemoDraft(
        group=6,
        title="Support returnees and migrants, and build public narratives on facts",
        purpose="Reintegration, integration and accurate public debate on migration.",
        language="en",
        sponsors=(MIGRANTS, "El Salvador", ACADEMIA),
        revisions=(
            DemoRevision(
                ("head", MIGRANTS),
                "",
                (P6_HEAD, P6_REC, P6_MEASURES, P6_RETURNEES, P6_SKILLS, P6_MEDIA, P6_VOICE),
                17,
            ),
            DemoRevision(
                ("delegate", ACADEMIA),
                "Adds yearly comparable data; mutual recognition of diplomas.",
                (
                    P6_HEAD,
                    P6_REC,
                    P6_MEASURES,
                    P6_RETURNEES,
                    P6_SKILLS_2,
                    P6_MEDIA,
                    P6_DATA,
                    P6_VOICE,
                ),
                6,
            ),
        ),
    ),
)


DEMO_COMMENTS = (
    DemoComment(
        group=5,
        revision=3,
        paragraph=P5_REC_2,
        author=("head", "Canada"),
        body="Could the recommendation say how the 50,000 places are shared between the "
        "countries of destination? Canada can commit to a figure for seasonal agriculture "
        "and care work, but not yet for construction.",
        hours_ago=50,
        replies=(
            DemoReply(
                ("head", "United States"),
                "Agreed. A table of national contributions in an annex would keep the "
                "recommendation itself short.",
                46,
            ),
            DemoReply(
                ("head", MIGRANTS),
                "Please keep the **fair share for women and rural areas** in the main "
                "text, not only in the annex.",
                30,
            ),
        ),
    ),
    DemoComment(
        group=5,
        revision=3,
        paragraph=P5_FEES,
        author=("head", BUSINESS),
        body="Employers support the ban on recruitment fees. We suggest adding that "
        "governments publish a list of licensed recruiters, so that employers can check "
        "whom they work with.",
        hours_ago=40,
        replies=(
            DemoReply(
                ("delegate", "Mexico"),
                "Good point: I will propose a sentence on licensed recruiters in "
                "the next revision.",
                20,
            ),
        ),
        resolved=True,
    ),
    DemoComment(
        group=5,
        revision=1,
        paragraph=P5_REC,
        author=("delegate", "Guatemala"),
        body="“Central America” is too vague: the programmes should name the countries of origin.",
        hours_ago=24 * 15,
    ),
    DemoComment(
        group=5,
        revision=3,
        paragraph=None,
        author=("head", "Honduras"),
        body="Honduras supports the draft. The yearly review should also hear the countries of "
        "origin, not only employers, trade unions and migrant organisations; "
        "@[Rosa Elena Pacheco], would your network support that?",
        hours_ago=12,
    ),
    DemoComment(
        group=5,
        revision=3,
        paragraph=P5_PORTABLE,
        author=("delegate", "Belize"),
        body="Test comment, please ignore.",
        hours_ago=8,
        hidden="Posted by mistake while testing the workspace.",
    ),
    DemoComment(
        group=1,
        revision=1,
        paragraph=P1_CHILDREN,
        author=("head", MIGRANTS),
        body="“Promptly” needs a time limit: in practice children wait for weeks before a "
        "child-protection officer sees them.",
        hours_ago=24 * 20,
        replies=(
            DemoReply(
                ("head", CS),
                "Revision 2 sets a limit of 24 hours and rules out detention entirely.",
                24 * 13,
            ),
        ),
        resolved=True,
    ),
    DemoComment(
        group=1,
        revision=3,
        paragraph=P1_STAFF_2,
        author=("head", "Belize"),
        body="Belize welcomes being included. The pooled budget needs rules on who contributes "
        "how much; could the secretariat propose a formula?",
        hours_ago=36,
    ),
    DemoComment(
        group=2,
        revision=3,
        paragraph=P2_PLEDGES_2,
        author=("head", ACADEMIA),
        body="Les engagements devraient être publiés dans un format commun, pour qu'on puisse "
        "les comparer d'une année à l'autre.",
        hours_ago=26,
    ),
    DemoComment(
        group=3,
        revision=3,
        paragraph=P3_FUND_2,
        author=("delegate", "Honduras"),
        body="Proponemos que el informe de la auditoría independiente del fondo sea público y "
        "anual.",
        hours_ago=18,
    ),
)


def seed(
    session: Session,
    *,
    groups: dict[int, WorkingGroup],
    seats: dict[str, Seat],
    heads: dict[str, Person],
    delegates: dict[str, Person],
    secretariat: Person,
    now: datetime,
    documents_dir: Path | None = None,
) -> None:
    """The drafts, comments, amendments, versions, rounds, adopted recommendations and the
    interim report; workspaces.demo_story adds the rest of the twelve recommendations and the
    evidence library, whose files go to `documents_dir` (a temporary folder when not given)."""
    from workspaces import demo_story

    people = {"head": heads, "delegate": delegates}
    for demo in DEMO_DRAFTS:
        first, *later = demo.revisions
        draft = drafts.start_draft(
            session,
            by=people[first.author[0]][first.author[1]],
            group=groups[demo.group],
            title=demo.title,
            purpose=demo.purpose,
            sponsor_seat_ids=[seats[name].id for name in demo.sponsors],
            text=text(first.blocks),
            language=demo.language,
            now=now - timedelta(days=first.days_ago),
        )
        for number, step in enumerate(later, start=1):
            drafts.revise(
                session,
                by=people[step.author[0]][step.author[1]],
                draft=draft,
                base_number=number,
                text=text(step.blocks),
                summary=step.summary,
                now=now - timedelta(days=step.days_ago),
            )
    if documents_dir is None:
        documents_dir = Path(tempfile.gettempdir()) / "council-demo-documents"
    demo_story.seed(
        session,
        groups=groups,
        seats=seats,
        people=people,
        secretariat=secretariat,
        folder=documents_dir,
        now=now,
    )
    chairs = _acting_chairs(session, groups, now)
    for demo in DEMO_COMMENTS:
        _seed_comment(
            session,
            demo,
            group=groups[demo.group],
            people=people,
            chair=chairs.get(demo.group, secretariat),
            now=now,
        )
    _seed_amendments(session, groups=groups, people=people, seats=seats, chairs=chairs, now=now)
    _seed_versions(session, people=people, seats=seats, now=now)
    _seed_rounds(session, groups=groups, people=people, seats=seats, chairs=chairs, now=now)
    _seed_adopted(session, groups=groups, people=people, seats=seats, chairs=chairs, now=now)
    demo_story.seed_stages(
        session, groups=groups, seats=seats, people=people, chairs=chairs, now=now
    )
    _seed_report(session, groups=groups, secretariat=secretariat, now=now)


# amendments: in group 2, one accepted (the paragraph says so) and one refused; in group 1,
# two open, one of them supported by another seat

DEMO_AMENDMENTS = (  # (group, proposing seat, paragraph, action, text, justification, hours ago)
    (
        2,
        "Guatemala",
        P2_PUBLISH,
        "replace",
        "- Les engagements sont publiés sur le site du Conseil et leur mise en œuvre fait l'objet "
        "d'un rapport annuel au Conseil, examiné en séance publique.",
        "Le rapport annuel doit être discuté publiquement pour que les engagements soient suivis.",
        40,
    ),
    (
        2,
        "Honduras",
        P2_CONTINGENCY,
        "delete",
        "",
        "Les plans de contingence relèvent du groupe de travail 1.",
        38,
    ),
    (
        1,
        "Guatemala",
        P1_TRAINING,
        "replace",
        "- Establish a regional training programme on refugee status determination, drawing on "
        "the expertise of UNHCR, of the national authorities and of civil-society legal aid "
        "organisations.",
        "Legal aid organisations see the cases first; their experience belongs in the training.",
        30,
    ),
    (
        1,
        "Belize",
        P1_FAMILY,
        "insert",
        "Unaccompanied children are reunited with family members in the region as soon as their "
        "best interests have been assessed.",
        "Family unity should say what happens to children travelling alone.",
        20,
    ),
)


# language versions: every draft translated into the council's two other languages, but in
# group 1, where two paragraphs changed since they were translated and one is not in French yet

OUTDATED_IN_DEMO = {P1_STAFF_2: P1_STAFF, P1_CHILDREN_2: P1_CHILDREN}
"""Paragraph now -> the earlier text its demo translations were made from."""
MISSING_IN_DEMO = {(P1_FAMILY, "fr")}
TRANSLATORS = {
    "en": ("delegate", "Canada"),
    "es": ("delegate", "Honduras"),
    "fr": ("delegate", "Canada"),
}


def _seed_versions(
    session: Session, *, people: dict, seats: dict[str, Seat], now: datetime
) -> None:
    import json

    from workspaces import demo_versions
    from workspaces.markdown import render_markdown
    from workspaces.models import VersionParagraph

    for draft in session.exec(select(Draft).order_by(Draft.id)).all():
        if draft.title not in demo_versions.TITLES:
            continue  # workspaces.demo_story's drafts: translated there, or not yet
        revision = drafts.latest_revision(session, draft)
        for code in [c for c in LANGUAGES if c != draft.language]:
            role, seat = TRANSLATORS[code]
            for p in drafts.paragraphs(session, revision):
                if (p.source, code) in MISSING_IN_DEMO:
                    continue
                earlier = OUTDATED_IN_DEMO.get(p.source)
                text = (
                    demo_versions.EARLIER[earlier]
                    if earlier
                    else demo_versions.TRANSLATIONS[p.source]
                )[code]
                session.add(
                    VersionParagraph(
                        draft_id=draft.id,
                        language=code,
                        paragraph_id=p.paragraph_id,
                        source=text,
                        html=render_markdown(text),
                        translated_from=earlier or p.source,
                        translated_revision=revision.number - 1 if earlier else revision.number,
                        seat_id=seats[seat].id,
                        translated_by_id=people[role][seat].id,
                        updated_at=now - timedelta(hours=2),
                    )
                )
        draft.title_translations = json.dumps(
            demo_versions.TITLES[draft.title], ensure_ascii=False, sort_keys=True
        )
        draft.purpose_translations = json.dumps(
            demo_versions.PURPOSES.get(draft.purpose, {}), ensure_ascii=False, sort_keys=True
        )
        session.add(draft)
    session.flush()


def _seed_amendments(
    session: Session,
    *,
    groups: dict[int, WorkingGroup],
    people: dict,
    seats: dict[str, Seat],
    chairs: dict[int, Person],
    now: datetime,
) -> None:
    from council.permissions import load_actor
    from workspaces import amendments

    def actor(person: Person):
        return load_actor(session, person, now, settle=False)

    made: dict[int, list[amendments.Amendment]] = {}
    for number, seat, paragraph, action, text_, why, hours in DEMO_AMENDMENTS:
        draft = session.exec(
            select(Draft).where(Draft.working_group_id == groups[number].id).order_by(Draft.id)
        ).first()
        target = next(
            p.paragraph_id
            for p in drafts.paragraphs(session, drafts.latest_revision(session, draft))
            if p.source == paragraph
        )
        made.setdefault(number, []).append(
            amendments.propose(
                session,
                actor=actor(people["head"][seat]),
                draft=draft,
                changes=[amendments.ChangeForm(target, action, text_)],
                justification=why,
                now=now - timedelta(hours=hours),
            )
        )
    amendments.support(
        session,
        actor=actor(people["head"]["Honduras"]),
        amendment=made[1][0],
        draft=session.get(Draft, made[1][0].draft_id),
        now=now - timedelta(hours=10),
    )
    accepted, refused = made[2]
    draft = session.get(Draft, accepted.draft_id)
    amendments.decide(
        session,
        actor=actor(chairs[2]),
        draft=draft,
        base_number=draft.latest_revision_number,
        now=now - timedelta(hours=26),
        decisions=[
            amendments.Decision(accepted.id, amendments.ACCEPT),
            amendments.Decision(
                refused.id,
                amendments.REFUSE,
                "Le groupe de travail 2 garde ce paragraphe : il concerne le partage des charges.",
            ),
        ],
    )


def _acting_chairs(
    session: Session, groups: dict[int, WorkingGroup], now: datetime
) -> dict[int, Person]:
    chairs = current_chairs(session, now)
    return {
        number: chairs[group.id].person
        for number, group in groups.items()
        if group.id in chairs and chairs[group.id].person
    }


def _seed_comment(
    session: Session,
    demo: DemoComment,
    *,
    group: WorkingGroup,
    people: dict,
    chair: Person,
    now: datetime,
) -> None:
    draft = session.exec(
        select(Draft).where(Draft.working_group_id == group.id).order_by(Draft.id)
    ).first()
    paragraph_id = None
    if demo.paragraph is not None:
        revision = drafts.revision(session, draft, demo.revision)
        paragraph_id = next(
            p.paragraph_id
            for p in drafts.paragraphs(session, revision)
            if p.source == demo.paragraph
        )
    at = now - timedelta(hours=demo.hours_ago)
    root = comments.post_comment(
        session,
        by=people[demo.author[0]][demo.author[1]],
        draft=draft,
        body=demo.body,
        paragraph_id=paragraph_id,
        revision_number=demo.revision,
        now=at,
    )
    for reply in demo.replies:
        comments.reply(
            session,
            by=people[reply.author[0]][reply.author[1]],
            to=root,
            body=reply.body,
            revision_number=draft.latest_revision_number,
            now=now - timedelta(hours=reply.hours_ago),
        )
    if demo.resolved:
        comments.resolve_thread(session, by=chair, comment=root, now=now - timedelta(hours=1))
    if demo.hidden:
        comments.hide_comment(
            session, by=chair, comment=root, reason=demo.hidden, now=at + timedelta(minutes=20)
        )


# rounds: a comment round open in group 1, a decision round open in group 5 with some answers

DEMO_POSITIONS = (  # (person, choice, text, paragraph concerned, hours ago)
    (("head", "Canada"), "support", "", None, 20),
    (
        ("head", "United States"),
        "support_with_reservation",
        "The United States can offer places only within its existing temporary visa categories; "
        "the figure for the United States depends on the annual caps set by Congress.",
        P5_REC_2,
        16,
    ),
    (("head", "Honduras"), "abstain", "", None, 12),
    (("delegate", "Honduras"), "support", "", None, 6),
    (("delegate", "Guatemala"), "support", "", None, 5),
    (("head", BUSINESS), "support", "", None, 3),
)


def _seed_rounds(
    session: Session,
    *,
    groups: dict[int, WorkingGroup],
    people: dict,
    seats: dict[str, Seat],
    chairs: dict[int, Person],
    now: datetime,
) -> None:
    def first_draft(number: int) -> Draft:
        return session.exec(
            select(Draft).where(Draft.working_group_id == groups[number].id).order_by(Draft.id)
        ).first()

    opened = now - timedelta(days=2)
    rounds.open_round(
        session,
        by=chairs[1],
        draft=first_draft(1),
        kind="comment",
        deadline=now + timedelta(days=5),
        now=opened,
        note="Last comments on revision 3 before we put it to a decision round.",
    )
    draft = first_draft(5)
    opened = now - timedelta(days=1)
    round_ = rounds.open_round(
        session,
        by=chairs[5],
        draft=draft,
        kind="decision",
        deadline=now + timedelta(days=4),
        now=opened,
        note="Please give your seat's position before the deadline. Reservations "
        "tied to a paragraph will appear as footnotes if the text is adopted.",
    )
    paragraph_ids = {
        p.source: p.paragraph_id
        for p in drafts.paragraphs(session, drafts.latest_revision(session, draft))
    }
    for (role, seat), choice, text, paragraph, hours in DEMO_POSITIONS:
        person = people[role][seat]
        form = rounds.PositionForm(
            choice,
            reservation=text,
            reason=text,
            paragraph_ids=[paragraph_ids[paragraph]] if paragraph else [],
        )
        rounds.cast_position(
            session,
            round_,
            by=person,
            seat=seats[seat],
            form=form,
            now=now - timedelta(hours=hours),
        )
    iom = "International Organization for Migration"
    rounds.submit_statement(
        session,
        round_,
        by=people["head"][iom],
        seat=seats[iom],
        now=now - timedelta(hours=2),
        text="IOM welcomes the focus on fair recruitment and stands ready to support the "
        "regional job-matching service with its experience of labour mobility programmes.",
    )


# Two recommendations adopted through real closed decision rounds: group 4's with
# reservations (footnotes) and an observer statement, group 6's with a chair's statement.

ADOPTED = {  # group -> (days ago opened, days ago closed, positions, chair's statement)
    4: (
        4,
        2,
        (
            (("head", "Panama"), "support", "", None),
            (("head", "Honduras"), "support", "", None),
            (("delegate", "Guatemala"), "support", "", None),
            (("head", "El Salvador"), "support", "", None),
            (("head", "Costa Rica"), "support", "", None),
            (("delegate", "Mexico"), "support", "", None),
            (
                ("head", "United States"),
                "support_with_reservation",
                "The United States supports the objective. Its contribution depends on "
                "appropriations by Congress and is not counted towards a fixed regional figure.",
                P4_REC,
            ),
            (("head", "Canada"), "abstain", "", None),
            (("head", BUSINESS), "support", "", None),
            (
                ("head", ACADEMIA),
                "support_with_reservation",
                "Planned relocation must remain voluntary, and the communities concerned must be "
                "able to refuse it.",
                P4_MOBILITY_2,
            ),
        ),
        "",
    ),
    6: (
        5,
        1,
        (
            (("head", "El Salvador"), "support", "", None),
            (("head", "Honduras"), "support", "", None),
            (("head", "Guatemala"), "support", "", None),
            (("head", "Mexico"), "support", "", None),
            (("head", "Canada"), "support", "", None),
            (("head", "Costa Rica"), "support", "", None),
            (("head", "Belize"), "support", "", None),
            (("head", "United States"), "abstain", "", None),
            (("head", CS), "support", "", None),
            (("delegate", ACADEMIA), "support", "", None),
            (("head", MIGRANTS), "support", "", None),
        ),
        "The chair thanks the delegations for a constructive debate. The working group asks the "
        "secretariat to prepare the first regional report of comparable data on migration, "
        "return and integration for the next ministerial meeting, and to invite migrant-led "
        "organisations to present it.",
    ),
}


def _seed_adopted(
    session: Session,
    *,
    groups: dict[int, WorkingGroup],
    people: dict,
    seats: dict[str, Seat],
    chairs: dict[int, Person],
    now: datetime,
) -> None:
    iom = "International Organization for Migration"
    for number, (opened_days, closed_days, positions, statement) in ADOPTED.items():
        draft = session.exec(
            select(Draft).where(Draft.working_group_id == groups[number].id).order_by(Draft.id)
        ).first()
        opened = now - timedelta(days=opened_days)
        round_ = rounds.open_round(
            session,
            by=chairs[number],
            draft=draft,
            kind="decision",
            now=opened,
            deadline=now + timedelta(days=3),
            note="Decision round on the final revision: please give your seat's position.",
        )
        paragraph_ids = {
            p.source: p.paragraph_id
            for p in drafts.paragraphs(session, drafts.latest_revision(session, draft))
        }
        for step, ((role, seat), choice, text, paragraph) in enumerate(positions):
            form = rounds.PositionForm(
                choice,
                reservation=text,
                reason=text,
                paragraph_ids=[paragraph_ids[paragraph]] if paragraph else [],
            )
            rounds.cast_position(
                session,
                round_,
                by=people[role][seat],
                seat=seats[seat],
                form=form,
                now=opened + timedelta(hours=2 + 3 * step),
            )
        if number == 4:
            rounds.submit_statement(
                session,
                round_,
                by=people["head"][iom],
                seat=seats[iom],
                now=opened + timedelta(days=1),
                text="IOM welcomes the recognition of planned relocation and regular migration "
                "as forms of adaptation, and offers its data on disaster displacement in "
                "the Dry Corridor.",
            )
        rounds.close_round(
            session,
            round_,
            by=chairs[number],
            statement=statement,
            now=now - timedelta(days=closed_days),
        )


# one published interim report of the council, composed and published by the secretariat from
# the four adopted recommendations and their follow-up, in the three languages

REPORT_TITLES = {
    "en": "Interim report to the ministerial meeting",
    "es": "Informe provisional a la reunión ministerial",
    "fr": "Rapport intérimaire à la réunion ministérielle",
}
REPORT_FOREWORDS = {
    "en": "The council's working groups began their work this year. This interim report "
    "gathers the first recommendations they adopted, with the reservations of seats, "
    "for the ministerial meeting.\n\nSome of the recommendations can be implemented "
    "now; some will require more time.",
    "es": "Los grupos de trabajo del Consejo comenzaron su labor este año. Este informe "
    "provisional reúne las primeras recomendaciones que adoptaron, con las reservas de "
    "las delegaciones, para la reunión ministerial.\n\nAlgunas recomendaciones pueden "
    "aplicarse ya; otras requerirán más tiempo.",
    "fr": "Les groupes de travail du Conseil ont commencé leurs travaux cette année. Ce "
    "rapport intérimaire rassemble les premières recommandations qu’ils ont adoptées, "
    "avec les réserves des délégations, pour la réunion ministérielle.\n\nCertaines "
    "recommandations peuvent être mises en œuvre dès maintenant\u202f; d’autres "
    "demanderont plus de temps.",
}
REPORT_SECTIONS = (  # (working group, headings, introductions)
    (
        4,
        {
            "en": "Economic and environmental drivers of migration",
            "es": "Factores económicos y ambientales de la migración",
            "fr": "Facteurs économiques et environnementaux des migrations",
        },
        {
            "en": "The working group adopted its recommendation with two reservations.",
            "es": "El grupo de trabajo adoptó su recomendación con dos reservas.",
            "fr": "Le groupe de travail a adopté sa recommandation avec deux réserves.",
        },
    ),
    (
        6,
        {
            "en": "Integration and narratives",
            "es": "Integración y narrativas",
            "fr": "Intégration et discours publics",
        },
        {
            "en": "The working group adopted its recommendation by consensus.",
            "es": "El grupo de trabajo adoptó su recomendación por consenso.",
            "fr": "Le groupe de travail a adopté sa recommandation par consensus.",
        },
    ),
    (
        1,
        {
            "en": "Humanitarian protection in the region",
            "es": "Protección humanitaria en la región",
            "fr": "Protection humanitaire dans la région",
        },
        {
            "en": "Adopted under the previous chair, the recommendation on borders is being "
            "carried out: the seats it addresses report their progress below.",
            "es": "Adoptada bajo la presidencia anterior, la recomendación sobre las fronteras "
            "está en aplicación: las delegaciones a las que se dirige informan a continuación de "
            "sus avances.",
            "fr": "Adoptée sous la présidence précédente, la recommandation sur les frontières est "
            "en cours de mise en œuvre : les délégations auxquelles elle s’adresse rendent "
            "compte ci-dessous de leurs progrès.",
        },
    ),
    (
        2,
        {
            "en": "Regional cooperation and co-responsibility",
            "es": "Cooperación regional y corresponsabilidad",
            "fr": "Coopération régionale et coresponsabilité",
        },
        {
            "en": "The regional data platform is open; one seat has stated its reasons for not "
            "pursuing the recommendation.",
            "es": "La plataforma regional de datos está abierta; una delegación ha expuesto sus "
            "razones para no dar curso a la recomendación.",
            "fr": "La plateforme régionale de données est ouverte ; une délégation a exposé "
            "les raisons pour lesquelles elle ne donne pas suite à la recommandation.",
        },
    ),
)
REPORT_FOLLOWUP = {1, 2, 4}
"""The sections that show the follow-up of their recommendation (workspaces.demo_story)."""


def _seed_report(
    session: Session, *, groups: dict[int, WorkingGroup], secretariat: Person, now: datetime
) -> None:
    from workspaces import reports
    from workspaces.recommendation_models import Recommendation

    adopted = {
        group_id: number
        for group_id, number in session.exec(
            select(Recommendation.working_group_id, Recommendation.number)
        )
    }
    report = reports.start(
        session,
        by=secretariat,
        group=None,
        kind="interim",
        titles=REPORT_TITLES,
        default_language="en",
        languages=LANGUAGES,
        now=now - timedelta(hours=20),
    )
    draft = reports.Composition(
        kind="interim",
        titles=REPORT_TITLES,
        forewords=REPORT_FOREWORDS,
        sections=[
            reports.SectionForm(
                headings=headings,
                intros=intros,
                items=[adopted[groups[number].id]],
                followup=number in REPORT_FOLLOWUP,
            )
            for number, headings, intros in REPORT_SECTIONS
            if groups[number].id in adopted
        ],
    )
    reports.save(
        session,
        report,
        draft,
        by=secretariat,
        default_language="en",
        languages=LANGUAGES,
        now=now - timedelta(hours=19),
    )
    reports.publish(session, report, by=secretariat, now=now - timedelta(hours=18))
