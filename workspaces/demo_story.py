"""The rest of the task force's twelve recommendations in the demo council, with their evidence.

workspaces.demo writes one draft a working group; this module writes the second of each, at the
stages a council's work reaches: two adopted months ago through closed decision rounds, under
the chair before the current one, with follow-up reports from several seats across the
handover; one being amended; three drafting. Every draft has two revisions by
different seats. It also fills the evidence library with research
papers written for the demo (PDFs made by workspaces.demo_pdf), which the drafts cite with
`[@doc:N]`, and gives the follow-up of the recommendation adopted last in working group 4.
Everything goes through the same acts as the workspace (upload, start_draft, revise, rounds,
amendments, followup), so the audit log and the notifications read as after real work.
"""

from __future__ import annotations

import functools
import json
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from sqlmodel import Session, select

from council.models import Council, Person, Seat, WorkingGroup
from council.permissions import load_actor
from council.settings import LANGUAGES
from workspaces import amendments, demo_pdf, demo_versions, documents, drafts, followup, rounds
from workspaces.markdown import render_markdown
from workspaces.models import Draft, VersionParagraph
from workspaces.recommendation_models import Recommendation

CS = "Regional Civil Society Coalition on Migration and Asylum"
MIGRANTS = "Central American Migrant Communities Network"
ACADEMIA = "Inter-University Network for Migration Studies"
BUSINESS = "Business Council for Fair Labour Mobility"
INDIGENOUS = "Council of Indigenous Peoples of Mesoamerica"


# the evidence library: research papers written for the demo


@dataclass(frozen=True)
class DemoPaper:
    key: str
    """How the drafts below cite it: `[@doc:{key}]`."""
    filed_under: int | None  # a working group's number; None for the council
    uploader: tuple[str, str]
    title: str
    authors: str
    issued_on: str
    language: str
    visibility: str
    summary: str
    paragraphs: tuple[str, ...]
    days_ago: int


PAPERS = (
    DemoPaper(
        key="data",
        filed_under=None,
        uploader=("head", ACADEMIA),
        title="Counting people on the move: migration statistics in nine countries of North "
        "and Central America",
        authors="Hélène Bouchard; Ana Cristina Molina",
        issued_on="2026-03-16",
        language="en",
        visibility="public",
        summary="Compares how the nine member states count entries, asylum claims, returns and "
        "labour migrants, and proposes a common core of twelve indicators.",
        paragraphs=(
            "Summary. The nine member states of the council publish figures on migration, but "
            "rarely the same figures. Of the forty indicators we reviewed, only seven are "
            "published by every country, and only three with the same definition.",
            "Asylum. All countries publish the number of claims lodged, but four count persons "
            "and five count cases, which may cover a whole family. Decision times are "
            "published by three countries only.",
            "Returns. Countries of destination publish returns by nationality; countries of "
            "origin publish arrivals at reception centres. The two series differ by up to a "
            "quarter for the same year, mostly because returns over land are not recorded at "
            "arrival.",
            "Labour migration. Temporary work visas are counted when issued, not when used, "
            "and renewals are counted as new visas in two countries.",
            "Recommendation. A common core of twelve indicators, published twice a year on a "
            "shared platform, would let the council follow its own recommendations on the "
            "same facts. Personal data need not be shared: aggregated tables are enough.",
        ),
        days_ago=230,
    ),
    DemoPaper(
        key="drought",
        filed_under=4,
        uploader=("delegate", ACADEMIA),
        title="Harvest loss and departure in the Dry Corridor: household evidence, 2019-2025",
        authors="Ana Cristina Molina; Rodrigo Estrada Lam",
        issued_on="2025-11-03",
        language="en",
        visibility="public",
        summary="A survey of 2,400 rural households in Guatemala, Honduras and El Salvador links "
        "repeated harvest loss to the decision of a household member to migrate.",
        paragraphs=(
            "Summary. Between 2019 and 2025 we surveyed 2,400 rural households in 60 "
            "municipalities of the Dry Corridor three times. Households that lost more than "
            "half of their maize and bean harvest in two successive years were twice as "
            "likely to see a member leave the country in the following year.",
            "Who leaves. Most of those who leave are men between 18 and 30, but the share of "
            "women has grown from one in five to one in three over the period.",
            "What helps. Households with access to irrigation, crop insurance or a "
            "non-agricultural income were far less likely to see a member leave after a bad "
            "harvest. Remittances were used mainly for food and debts, rarely for investment.",
            "Implications. Adaptation finance and rural credit reach few of the households "
            "most at risk. Local cooperatives are the channel most trusted by the households "
            "we surveyed.",
        ),
        days_ago=210,
    ),
    DemoPaper(
        key="extortion",
        filed_under=3,
        uploader=("head", CS),
        title="Extorsión, amenazas y la decisión de partir: entrevistas con familias de "
        "Honduras y El Salvador",
        authors="Gabriela Sandoval; Tomás Lemus",
        issued_on="2026-02-20",
        language="es",
        visibility="members",
        summary="Ochenta entrevistas con familias que salieron de su país tras recibir amenazas "
        "o exigencias de extorsión; contiene testimonios y por eso solo lo leen los "
        "miembros del Consejo.",
        paragraphs=(
            "Resumen. Entre 2024 y 2025 entrevistamos a ochenta familias hondureñas y "
            "salvadoreñas que abandonaron su país. Casi dos de cada tres mencionan la "
            "extorsión o una amenaza directa como la razón inmediata de su partida.",
            "Denuncia. Solo una de cada cinco familias denunció los hechos. Las demás temían "
            "represalias o no confiaban en que la policía las protegiera.",
            "Reubicación interna. Varias familias se trasladaron primero a otra ciudad del "
            "mismo país; la mayoría fue localizada de nuevo en pocos meses.",
            "Conclusión. La protección de testigos, unidades especializadas contra la "
            "extorsión y la prevención en los barrios más afectados podrían ofrecer una "
            "alternativa a la huida.",
        ),
        days_ago=190,
    ),
    DemoPaper(
        key="local",
        filed_under=6,
        uploader=("head", MIGRANTS),
        title="Local integration services for migrants: what municipalities in the region provide",
        authors="Rosa Elena Pacheco; Hélène Bouchard",
        issued_on="2026-06-01",
        language="en",
        visibility="public",
        summary="A review of the services offered by 45 municipalities that receive many "
        "migrants and returnees: registration, schools, health care, language classes "
        "and job placement.",
        paragraphs=(
            "Summary. We reviewed the services that 45 municipalities in seven countries offer "
            "to migrants and returnees. Municipalities carry most of the cost of reception but "
            "receive little of the national or international funding for it.",
            "Access. Registration for school and health care is the first obstacle: in half of "
            "the municipalities a foreign birth certificate or a national identity number is "
            "required.",
            "Good practice. One-stop offices, where registration, the recognition of "
            "qualifications and job placement are offered in one place, shortened the time to "
            "a first formal job by several months.",
            "Languages. Many migrants from Guatemala and southern Mexico speak an Indigenous "
            "language first; few municipalities offer services in those languages.",
        ),
        days_ago=150,
    ),
)


# the six drafts: blocks may cite a paper by its key, `[@doc:{key}]`

H_REC = "# Recommendation"
H_MEASURES = "# Measures"

B1_REC = (
    "The member states should manage their borders in a way that respects the rights of every "
    "person who crosses them, so that border control identifies people in need of protection "
    "instead of pushing them towards smugglers."
)
B1_TRAIN = (
    "- Train border officials to identify asylum seekers, victims of trafficking and children "
    "travelling alone, and to refer them to the competent authorities."
)
B1_FORCE = (
    "- Publish the rules on the use of force at borders, and investigate every death or "
    "serious injury independently."
)
B1_MONITOR = (
    "- Give independent monitors, including the national human rights institutions and "
    "civil-society organisations, regular access to border posts and holding facilities."
)
B1_REFOULEMENT = (
    "No person is returned to a country where they would face persecution, torture or serious "
    "harm, whatever their manner of entry."
)
B1_DATA = (
    "The member states share with the council, every year, their data on apprehensions, "
    "returns and deaths at their borders."
)

B2_REC = (
    "The member states should agree on common definitions and publish comparable data on "
    "migration flows, asylum, returns and labour pathways twice a year, on a regional data "
    "platform kept by the council's secretariat [@doc:{data}]."
)
B2_INDICATORS = (
    "- Adopt within one year a common core of indicators, drawing on the United Nations "
    "recommendations on statistics of international migration."
)
B2_RESEARCH = (
    "- Fund joint research by the universities and statistical offices of the region, with "
    "open access to its results and to anonymised data."
)
B2_PRIVACY = (
    "- Share only aggregated figures: no data collected to protect people is used for enforcement."
)
B2_VOICE = (
    "Migrant organisations and Indigenous peoples' organisations take part in deciding what is "
    "counted, so that the data describe people as they describe themselves."
)

B3_REC = (
    "The member states should fund violence-prevention programmes in the municipalities most "
    "affected by extortion and gang violence, and protect those who report these crimes, so "
    "that families are not forced to flee to be safe [@doc:{extortion}]."
)
B3_UNITS = (
    "- Create units specialised in extortion in the public prosecutors' offices, with secure "
    "channels for reporting."
)
B3_RELOCATION = (
    "- Offer internal relocation and witness protection to families under threat, before they "
    "have to leave the country."
)
B3_YOUTH = (
    "- Invest in schools, youth centres and first jobs in the neighbourhoods where gangs "
    "recruit the most young people."
)
B3_TERRITORIES = (
    "Indigenous communities decide, through their own authorities, how these programmes are "
    "carried out in their territories."
)

B4_REC = (
    "The member states should bring the cost of sending remittances to the region below 3 per "
    "cent, and create instruments through which the diaspora can invest in the development of "
    "the communities of origin."
)
B4_COSTS = (
    "- Require remittance providers to publish their full costs, and open national payment "
    "systems to new providers."
)
B4_BONDS = (
    "- Issue diaspora bonds and matching funds for community projects, with public and "
    "independent reports on the use of the money."
)
B4_RURAL = (
    "- Support cooperatives and small firms in the rural areas hit by harvest losses, where "
    "young people leave the most [@doc:{drought}]."
)
B4_PRIVATE = (
    "Remittances are private money: these measures widen the choices of families, and never "
    "tax or direct their transfers."
)

B5_REC = (
    "The member states should together offer at least 20,000 places a year in protection "
    "pathways for refugees in the region: resettlement, family reunification and humanitarian "
    "visas."
)
B5_RESETTLE = (
    "- Decide resettlement cases within twelve months, in the countries of first asylum, with "
    "the help of UNHCR and IOM."
)
B5_FAMILY = (
    "- Extend family reunification to the parents and adult children who depend on a refugee."
)
B5_VISAS = (
    "- Create humanitarian visas that can be requested at the consulates of the member states "
    "in the region."
)
B5_ASYLUM = (
    "Protection pathways complement asylum; they never replace the right to seek asylum at a "
    "border."
)

B6_REC = (
    "The member states should support the municipalities that receive the most migrants, so "
    "that migrants have access to schools, health care, language classes and work from their "
    "arrival [@doc:{local}]."
)
B6_FUNDS = (
    "- Give municipalities a share of the national and regional funding for integration, in "
    "proportion to the number of people they receive."
)
B6_OFFICES = (
    "- Open one-stop local offices where migrants and returnees register, have their "
    "qualifications assessed and find work."
)
B6_LANGUAGES = (
    "- Offer language classes, and public services in the Indigenous languages that many "
    "migrants from the region speak first."
)
B6_BOTH_WAYS = (
    "Integration runs both ways: host communities take part in planning these services, so "
    "that newcomers are not seen as competitors for scarce resources."
)


@dataclass(frozen=True)
class StoryDraft:
    group: int
    title: str
    titles: dict[str, str]
    purpose: str
    sponsors: tuple[str, ...]
    revisions: tuple[tuple[tuple[str, str], str, tuple[str, ...], int], ...]
    """(author, summary, blocks, days ago) for each revision."""


DRAFTS = (
    StoryDraft(
        group=1,
        title="Govern borders with respect for the rights of people on the move",
        titles={
            "es": "Gestionar las fronteras respetando los derechos de las personas en movilidad",
            "fr": "Gérer les frontières dans le respect des droits des personnes en déplacement",
        },
        purpose="Border control that finds people in need of protection and never sends them "
        "back to danger.",
        sponsors=("Guatemala", "Panama", CS),
        revisions=(
            (
                ("head", "Guatemala"),
                "",
                (H_REC, B1_REC, H_MEASURES, B1_TRAIN, B1_FORCE, B1_REFOULEMENT),
                200,
            ),
            (
                ("head", CS),
                "Adds independent monitoring and yearly data on deaths at borders.",
                (
                    H_REC,
                    B1_REC,
                    H_MEASURES,
                    B1_TRAIN,
                    B1_FORCE,
                    B1_MONITOR,
                    B1_REFOULEMENT,
                    B1_DATA,
                ),
                170,
            ),
        ),
    ),
    StoryDraft(
        group=2,
        title="Build a regional system of comparable migration data and shared research",
        titles={
            "es": "Crear un sistema regional de datos migratorios comparables e "
            "investigación compartida",
            "fr": "Créer un système régional de données migratoires comparables et de "
            "recherche partagée",
        },
        purpose="Common definitions and open data, so that the region plans on the same facts.",
        sponsors=(ACADEMIA, "Canada", "Mexico"),
        revisions=(
            (
                ("delegate", ACADEMIA),
                "",
                (H_REC, B2_REC, H_MEASURES, B2_INDICATORS, B2_RESEARCH),
                180,
            ),
            (
                ("head", "Mexico"),
                "Adds the protection of personal data and the voice of the people counted.",
                (H_REC, B2_REC, H_MEASURES, B2_INDICATORS, B2_RESEARCH, B2_PRIVACY, B2_VOICE),
                140,
            ),
        ),
    ),
    StoryDraft(
        group=3,
        title="Prevent the violence and extortion that force families to flee",
        titles={
            "es": "Prevenir la violencia y la extorsión que obligan a las familias a huir",
            "fr": "Prévenir la violence et l’extorsion qui contraignent les familles à fuir",
        },
        purpose="Protection at home, so that flight is not the only way to be safe.",
        sponsors=("Honduras", "El Salvador", INDIGENOUS),
        revisions=(
            (
                ("head", "Honduras"),
                "",
                (H_REC, B3_REC, H_MEASURES, B3_UNITS, B3_RELOCATION, B3_YOUTH),
                12,
            ),
            (
                ("head", INDIGENOUS),
                "Adds the decision of Indigenous authorities in their territories.",
                (H_REC, B3_REC, H_MEASURES, B3_UNITS, B3_RELOCATION, B3_YOUTH, B3_TERRITORIES),
                3,
            ),
        ),
    ),
    StoryDraft(
        group=4,
        title="Channel remittances and diaspora investment into local development",
        titles={
            "es": "Orientar las remesas y la inversión de la diáspora hacia el desarrollo local",
            "fr": "Orienter les transferts de fonds et l’investissement de la diaspora "
            "vers le développement local",
        },
        purpose="Cheaper remittances, and diaspora savings that create jobs at home.",
        sponsors=("El Salvador", BUSINESS),
        revisions=(
            (
                ("delegate", "El Salvador"),
                "",
                (H_REC, B4_REC, H_MEASURES, B4_COSTS, B4_BONDS, B4_RURAL),
                6,
            ),
            (
                ("head", BUSINESS),
                "Adds that remittances stay private money.",
                (H_REC, B4_REC, H_MEASURES, B4_COSTS, B4_BONDS, B4_RURAL, B4_PRIVATE),
                2,
            ),
        ),
    ),
    StoryDraft(
        group=5,
        title="Expand protection pathways: resettlement, family reunification and "
        "humanitarian visas",
        titles={
            "es": "Ampliar las vías de protección: reasentamiento, reunificación familiar y "
            "visas humanitarias",
            "fr": "Élargir les voies de protection\u00a0: réinstallation, regroupement "
            "familial et visas humanitaires",
        },
        purpose="Safe routes for refugees, so that they need not risk the journey.",
        sponsors=("Canada", "Costa Rica", MIGRANTS),
        revisions=(
            (
                ("head", "Costa Rica"),
                "",
                (H_REC, B5_REC, H_MEASURES, B5_RESETTLE, B5_FAMILY, B5_VISAS),
                16,
            ),
            (
                ("delegate", "Canada"),
                "Adds that pathways never replace asylum at the border.",
                (H_REC, B5_REC, H_MEASURES, B5_RESETTLE, B5_FAMILY, B5_VISAS, B5_ASYLUM),
                7,
            ),
        ),
    ),
    StoryDraft(
        group=6,
        title="Integrate migrants in host communities through local services",
        titles={
            "es": "Integrar a las personas migrantes en las comunidades de acogida "
            "mediante servicios locales",
            "fr": "Intégrer les personnes migrantes dans les communautés d’accueil grâce "
            "aux services locaux",
        },
        purpose="Means for the municipalities that receive the most, services from the first day.",
        sponsors=(MIGRANTS, "Mexico", ACADEMIA),
        revisions=(
            (
                ("head", MIGRANTS),
                "",
                (H_REC, B6_REC, H_MEASURES, B6_FUNDS, B6_OFFICES, B6_BOTH_WAYS),
                4,
            ),
            (
                ("delegate", ACADEMIA),
                "Adds services in Indigenous languages.",
                (H_REC, B6_REC, H_MEASURES, B6_FUNDS, B6_OFFICES, B6_LANGUAGES, B6_BOTH_WAYS),
                1,
            ),
        ),
    ),
)

# the adopted drafts' language versions (the headings come from workspaces.demo_versions)
TRANSLATIONS: dict[str, dict[str, str]] = {
    B1_REC: {
        "es": "Los Estados miembros deberían gestionar sus fronteras respetando los derechos de "
        "toda persona que las cruza, de modo que el control fronterizo identifique a "
        "quienes necesitan protección en lugar de empujarlos hacia los traficantes.",
        "fr": "Les États membres devraient gérer leurs frontières dans le respect des droits de "
        "toute personne qui les franchit, afin que le contrôle aux frontières identifie "
        "les personnes ayant besoin de protection au lieu de les pousser vers les "
        "passeurs.",
    },
    B1_TRAIN: {
        "es": "- Capacitar al personal fronterizo para identificar a solicitantes de asilo, "
        "víctimas de trata y niñas, niños y adolescentes no acompañados, y remitirlos a "
        "las autoridades competentes.",
        "fr": "- Former les agents aux frontières à identifier les demandeurs d’asile, les "
        "victimes de la traite et les enfants non accompagnés, et à les orienter vers "
        "les autorités compétentes.",
    },
    B1_FORCE: {
        "es": "- Publicar las normas sobre el uso de la fuerza en las fronteras e investigar "
        "de forma independiente toda muerte o lesión grave.",
        "fr": "- Publier les règles relatives à l’usage de la force aux frontières et enquêter "
        "de manière indépendante sur tout décès ou toute blessure grave.",
    },
    B1_MONITOR: {
        "es": "- Dar a observadores independientes, incluidas las instituciones nacionales de "
        "derechos humanos y las organizaciones de la sociedad civil, acceso periódico a "
        "los puestos fronterizos y a los lugares de detención.",
        "fr": "- Donner à des observateurs indépendants, notamment les institutions nationales "
        "des droits de l’homme et les organisations de la société civile, un accès "
        "régulier aux postes frontières et aux lieux de rétention.",
    },
    B1_REFOULEMENT: {
        "es": "Ninguna persona será devuelta a un país donde correría riesgo de persecución, "
        "tortura o daño grave, cualquiera que haya sido su forma de ingreso.",
        "fr": "Aucune personne n’est renvoyée vers un pays où elle risquerait la persécution, "
        "la torture ou une atteinte grave, quel que soit son mode d’entrée.",
    },
    B1_DATA: {
        "es": "Los Estados miembros comparten cada año con el Consejo sus datos sobre "
        "detenciones, devoluciones y muertes en sus fronteras.",
        "fr": "Les États membres communiquent chaque année au Conseil leurs données sur les "
        "interpellations, les renvois et les décès à leurs frontières.",
    },
    B2_REC: {
        "es": "Los Estados miembros deberían acordar definiciones comunes y publicar dos veces "
        "al año datos comparables sobre flujos migratorios, asilo, retornos y vías "
        "laborales, en una plataforma regional de datos a cargo de la secretaría del "
        "Consejo [@doc:{data}].",
        "fr": "Les États membres devraient convenir de définitions communes et publier deux "
        "fois par an des données comparables sur les flux migratoires, l’asile, les "
        "retours et les voies de migration de main-d’œuvre, sur une plateforme régionale "
        "de données tenue par le secrétariat du Conseil [@doc:{data}].",
    },
    B2_INDICATORS: {
        "es": "- Adoptar en el plazo de un año un conjunto común de indicadores, sobre la base "
        "de las recomendaciones de las Naciones Unidas sobre estadísticas de la "
        "migración internacional.",
        "fr": "- Adopter dans un délai d’un an un socle commun d’indicateurs, en s’appuyant "
        "sur les recommandations des Nations Unies sur les statistiques des migrations "
        "internationales.",
    },
    B2_RESEARCH: {
        "es": "- Financiar investigaciones conjuntas de las universidades y las oficinas de "
        "estadística de la región, con acceso abierto a sus resultados y a datos "
        "anonimizados.",
        "fr": "- Financer des recherches conjointes des universités et des offices statistiques "
        "de la région, avec un accès ouvert à leurs résultats et à des données "
        "anonymisées.",
    },
    B2_PRIVACY: {
        "es": "- Compartir solo cifras agregadas: ningún dato recogido para proteger a las "
        "personas se utiliza con fines de control migratorio.",
        "fr": "- Ne partager que des chiffres agrégés\u202f: aucune donnée recueillie pour "
        "protéger les personnes n’est utilisée à des fins de contrôle.",
    },
    B2_VOICE: {
        "es": "Las organizaciones de personas migrantes y de pueblos indígenas participan en "
        "la decisión sobre lo que se cuenta, para que los datos describan a las personas "
        "como ellas mismas se describen.",
        "fr": "Les organisations de personnes migrantes et de peuples autochtones participent "
        "à la décision sur ce qui est compté, afin que les données décrivent les "
        "personnes comme elles se décrivent elles-mêmes.",
    },
}
PURPOSES = {
    DRAFTS[0].purpose: {
        "es": "Un control fronterizo que identifica a quienes necesitan protección y nunca los "
        "devuelve al peligro.",
        "fr": "Un contrôle aux frontières qui repère les personnes ayant besoin de protection "
        "et ne les renvoie jamais vers le danger.",
    },
    DRAFTS[1].purpose: {
        "es": "Definiciones comunes y datos abiertos, para que la región planifique sobre los "
        "mismos hechos.",
        "fr": "Des définitions communes et des données ouvertes, pour que la région planifie "
        "à partir des mêmes faits.",
    },
}


# adoption, months ago, under the chair before the current one (the previous term's seat)


@dataclass(frozen=True)
class Adoption:
    group: int
    chair: tuple[str, str]
    opened_days: int
    closed_days: int
    positions: tuple[tuple[tuple[str, str], str, str], ...]
    statement: str
    addressed: tuple[str, ...]
    reports: tuple[tuple[tuple[str, str], str, str, str, int], ...]
    """(reporter, status, narrative, reason, days ago)"""


SUPPORT = "support"
ADOPTIONS = (
    Adoption(
        group=1,
        chair=("head", "El Salvador"),
        opened_days=128,
        closed_days=122,
        positions=(
            (("head", "Guatemala"), SUPPORT, ""),
            (("head", "Panama"), SUPPORT, ""),
            (("head", "Costa Rica"), SUPPORT, ""),
            (("head", "Mexico"), SUPPORT, ""),
            (("head", "Honduras"), SUPPORT, ""),
            (("head", "El Salvador"), SUPPORT, ""),
            (("head", "Canada"), SUPPORT, ""),
            (
                ("head", "United States"),
                "support_with_reservation",
                "The United States will share yearly data within the limits of its laws on the "
                "protection of law-enforcement information.",
            ),
            (("head", CS), SUPPORT, ""),
            (("head", INDIGENOUS), SUPPORT, ""),
        ),
        statement="The chair notes the broad support for the recommendation and invites the "
        "member states to report on its implementation before the next ministerial "
        "meeting.",
        addressed=("Mexico", "Guatemala", "Costa Rica", "Panama", CS),
        reports=(
            (
                ("head", "Costa Rica"),
                "planned",
                "The migration authority has prepared a training module on identifying people in "
                "need of protection, to be given to all border staff next year.",
                "",
                110,
            ),
            (
                ("delegate", "Panama"),
                "under_way",
                "Border officials in Darién receive the training; two reception stations now "
                "have an officer of the national refugee office.",
                "",
                95,
            ),
            (
                ("delegate", "Guatemala"),
                "planned",
                "A protocol for referring children travelling alone is being drafted with the "
                "Attorney General's office for children.",
                "",
                84,
            ),
            (
                ("head", CS),
                "under_way",
                "Member organisations visited six border posts with the national human rights "
                "institutions and published their findings.",
                "",
                70,
            ),
            (
                ("delegate", "Costa Rica"),
                "under_way",
                "Training started in March at the northern border; 140 officials trained so far.",
                "",
                40,
            ),
            (
                ("head", "Panama"),
                "implemented",
                "All border staff at the southern border have been trained, and the rules on the "
                "use of force are published on the ministry's site.",
                "",
                18,
            ),
            (
                ("delegate", "Mexico"),
                "not_started",
                "The reform of the migration law, which the measures depend on, is before "
                "Congress.",
                "",
                9,
            ),
        ),
    ),
    Adoption(
        group=2,
        chair=("head", ACADEMIA),
        opened_days=100,
        closed_days=95,
        positions=(
            (("head", "Canada"), SUPPORT, ""),
            (("head", "Mexico"), SUPPORT, ""),
            (("head", "Guatemala"), SUPPORT, ""),
            (("head", "Honduras"), SUPPORT, ""),
            (("head", "Costa Rica"), SUPPORT, ""),
            (("head", "Panama"), SUPPORT, ""),
            (("head", "Belize"), "abstain", ""),
            (
                ("head", "United States"),
                "support_with_reservation",
                "The United States will publish the agreed indicators twice a year where its "
                "statistical agencies already collect them.",
            ),
            (("delegate", ACADEMIA), SUPPORT, ""),
            (("head", CS), SUPPORT, ""),
        ),
        statement="",
        addressed=("Canada", "Mexico", "United States", "Honduras", ACADEMIA),
        reports=(
            (
                ("delegate", "Canada"),
                "under_way",
                "Statistics Canada has mapped its migration series against the common core of "
                "indicators.",
                "",
                86,
            ),
            (
                ("head", "Mexico"),
                "planned",
                "The migration policy unit will publish the indicators from next year.",
                "",
                72,
            ),
            (
                ("head", ACADEMIA),
                "under_way",
                "Six universities of the network have started a joint study of return migration, "
                "with open data.",
                "",
                66,
            ),
            (
                ("head", "United States"),
                "not_pursued",
                "The United States already publishes most of the indicators.",
                "A separate regional platform would duplicate the national statistical "
                "releases; the United States will link to them instead.",
                50,
            ),
            (
                ("head", "Mexico"),
                "under_way",
                "The first tables on asylum and returns are published on the platform.",
                "",
                30,
            ),
            (
                ("delegate", "Honduras"),
                "planned",
                "The national statistics institute will join the platform once its new survey "
                "of returnees is complete.",
                "",
                24,
            ),
            (
                ("head", "Canada"),
                "implemented",
                "Canada publishes the twelve indicators twice a year on the platform.",
                "",
                12,
            ),
        ),
    ),
)

# the recommendation adopted two days ago in working group 4 (workspaces.demo): its first
# reports, hours ago
WG4_ADDRESSED = ("Guatemala", "Honduras", "El Salvador", "Panama", BUSINESS)
WG4_REPORTS = (
    (
        ("head", "Honduras"),
        "planned",
        "The ministry of agriculture will include the Dry Corridor in next year's irrigation "
        "programme.",
        30,
    ),
    (
        ("head", "Panama"),
        "under_way",
        "Panama has asked the regional development bank to prepare a pooled adaptation fund.",
        22,
    ),
)


def seed(
    session: Session,
    *,
    groups: dict[int, WorkingGroup],
    seats: dict[str, Seat],
    people: dict,
    secretariat: Person,
    folder: Path,
    now: datetime,
) -> None:
    """The papers and the six drafts (before the demo's language versions and rounds)."""
    council = session.exec(select(Council)).one()
    ids: dict[str, int] = {}
    for paper in PAPERS:
        at = now - timedelta(days=paper.days_ago)
        person = people[paper.uploader[0]][paper.uploader[1]]
        data = demo_pdf.make_pdf(paper.title, paper.authors, list(paper.paragraphs))
        form = documents.DocumentForm(
            title=paper.title,
            authors=paper.authors,
            issued_on=paper.issued_on,
            language=paper.language,
            summary=paper.summary,
            visibility=paper.visibility,
            filed_under=groups[paper.filed_under].slug if paper.filed_under else documents.COUNCIL,
        )
        file_name = paper.key + "-paper.pdf"
        document = documents.upload(
            session,
            actor=load_actor(session, person, at, settle=False),
            council=council,
            form=form,
            file=documents.Upload(file_name, len(data), functools.partial(bytes, data)),
            folder=folder,
            max_bytes=len(data) + 1,
            now=at,
        )
        ids[paper.key] = document.id
    for demo in DRAFTS:
        (author, _summary, blocks, days), *later = demo.revisions
        draft = drafts.start_draft(
            session,
            by=people[author[0]][author[1]],
            group=groups[demo.group],
            title=demo.title,
            purpose=demo.purpose,
            sponsor_seat_ids=[seats[name].id for name in demo.sponsors],
            text=_text(blocks, ids),
            language="en",
            now=now - timedelta(days=days),
        )
        for number, (author, summary, blocks, days) in enumerate(later, start=1):
            drafts.revise(
                session,
                by=people[author[0]][author[1]],
                draft=draft,
                base_number=number,
                text=_text(blocks, ids),
                summary=summary,
                now=now - timedelta(days=days),
            )
        draft.title_translations = json.dumps(demo.titles, ensure_ascii=False, sort_keys=True)
        draft.purpose_translations = json.dumps(
            PURPOSES.get(demo.purpose, {}), ensure_ascii=False, sort_keys=True
        )
        session.add(draft)
    session.flush()
    _translate(session, people=people, seats=seats, ids=ids, now=now)


def _text(blocks: tuple[str, ...], ids: dict[str, int]) -> str:
    from workspaces.demo import text

    return text(tuple(block.format_map(ids) for block in blocks))


def _story_draft(session: Session, groups: dict[int, WorkingGroup], number: int) -> Draft:
    """The group's second demo draft (the first is workspaces.demo's)."""
    return session.exec(
        select(Draft)
        .where(Draft.working_group_id == groups[number].id)
        .order_by(Draft.id)
        .offset(1)
    ).first()


def _translate(
    session: Session, *, people: dict, seats: dict[str, Seat], ids: dict[str, int], now: datetime
) -> None:
    """Versions of the two drafts adopted below, done the week after their last revision."""
    for adoption in ADOPTIONS:
        demo = next(d for d in DRAFTS if d.group == adoption.group)
        draft = session.exec(select(Draft).where(Draft.title == demo.title)).one()
        revision = drafts.latest_revision(session, draft)
        done = now - timedelta(days=adoption.opened_days + 2)
        for code in [c for c in LANGUAGES if c != "en"]:
            role, seat = ("delegate", "Honduras") if code == "es" else ("delegate", "Canada")
            for p in drafts.paragraphs(session, revision):
                original = next(b for b in demo.revisions[-1][2] if b.format_map(ids) == p.source)
                words = (TRANSLATIONS.get(original) or demo_versions.TRANSLATIONS[original])[code]
                words = words.format_map(ids)
                session.add(
                    VersionParagraph(
                        draft_id=draft.id,
                        language=code,
                        paragraph_id=p.paragraph_id,
                        source=words,
                        html=render_markdown(words),
                        translated_from=p.source,
                        translated_revision=revision.number,
                        seat_id=seats[seat].id,
                        translated_by_id=people[role][seat].id,
                        updated_at=done,
                    )
                )
    session.flush()


def seed_stages(
    session: Session,
    *,
    groups: dict[int, WorkingGroup],
    seats: dict[str, Seat],
    people: dict,
    chairs: dict[int, Person],
    now: datetime,
) -> None:
    """Adoptions with their follow-up, and the open amendments on group 5's second draft
    (after the demo's own rounds, before the report)."""
    for adoption in ADOPTIONS:
        draft = _story_draft(session, groups, adoption.group)
        chair = people[adoption.chair[0]][adoption.chair[1]]
        opened = now - timedelta(days=adoption.opened_days)
        round_ = rounds.open_round(
            session,
            by=chair,
            draft=draft,
            kind="decision",
            now=opened,
            deadline=now - timedelta(days=adoption.closed_days - 1),
            note="Decision round on the final revision: please give your seat's position.",
        )
        for step, ((role, seat), choice, reservation) in enumerate(adoption.positions):
            rounds.cast_position(
                session,
                round_,
                by=people[role][seat],
                seat=seats[seat],
                form=rounds.PositionForm(choice, reservation=reservation, reason=reservation),
                now=opened + timedelta(hours=3 + 5 * step),
            )
        closed = now - timedelta(days=adoption.closed_days)
        rounds.close_round(session, round_, by=chair, statement=adoption.statement, now=closed)
        recommendation = session.exec(
            select(Recommendation).where(Recommendation.draft_id == draft.id)
        ).one()
        _follow_up(
            session,
            recommendation,
            seats=seats,
            people=people,
            by=chair,
            addressed=adoption.addressed,
            addressed_at=closed + timedelta(days=2),
            reports=[
                (who, status, narrative, reason, now - timedelta(days=days))
                for who, status, narrative, reason, days in adoption.reports
            ],
        )
    wg4 = session.exec(
        select(Recommendation)
        .where(Recommendation.working_group_id == groups[4].id)
        .order_by(Recommendation.id)
    ).first()
    if wg4 is not None:
        _follow_up(
            session,
            wg4,
            seats=seats,
            people=people,
            by=chairs[4],
            addressed=WG4_ADDRESSED,
            addressed_at=now - timedelta(hours=40),
            reports=[
                (who, status, narrative, "", now - timedelta(hours=hours))
                for who, status, narrative, hours in WG4_REPORTS
            ],
        )
    _amend(session, groups=groups, people=people, now=now)


def _follow_up(
    session: Session,
    recommendation: Recommendation,
    *,
    seats: dict[str, Seat],
    people: dict,
    by: Person,
    addressed: tuple[str, ...],
    addressed_at: datetime,
    reports,
) -> None:
    followup.address(
        session,
        recommendation=recommendation,
        seat_ids=[seats[name].id for name in addressed],
        by=by,
        now=addressed_at,
    )
    for (role, seat), status, narrative, reason, at in reports:
        followup.report(
            session,
            recommendation=recommendation,
            seat=seats[seat],
            by=people[role][seat],
            now=at,
            form=followup.ReportForm(status=status, narrative=narrative, reason=reason),
        )


AMENDMENTS = (  # (proposing seat, paragraph, action, text, justification, hours ago)
    (
        MIGRANTS,
        B5_FAMILY,
        "insert",
        "- Recognise community sponsorship, through which groups of residents receive a refugee "
        "family and support it during its first year.",
        "Community sponsorship adds places without adding to public budgets, and helps "
        "integration from the first day.",
        60,
    ),
    (
        "United States",
        B5_VISAS,
        "replace",
        "- Study how humanitarian visas could be requested at the consulates of the member "
        "states in the region, within existing visa categories.",
        "A new visa category requires legislation; a study lets the council recommend a "
        "realistic design.",
        28,
    ),
)


def _amend(
    session: Session, *, groups: dict[int, WorkingGroup], people: dict, now: datetime
) -> None:
    draft = _story_draft(session, groups, 5)
    made = []
    for seat, paragraph, action, words, why, hours in AMENDMENTS:
        at = now - timedelta(hours=hours)
        target = next(
            p.paragraph_id
            for p in drafts.paragraphs(session, drafts.latest_revision(session, draft))
            if p.source == paragraph
        )
        made.append(
            amendments.propose(
                session,
                actor=load_actor(session, people["head"][seat], at, settle=False),
                draft=draft,
                changes=[amendments.ChangeForm(target, action, words)],
                justification=why,
                now=at,
            )
        )
    at = now - timedelta(hours=20)
    amendments.support(
        session,
        actor=load_actor(session, people["head"]["Costa Rica"], at, settle=False),
        amendment=made[0],
        draft=draft,
        now=at,
    )
