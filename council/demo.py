"""The demo council: the task force's six thematic areas, real seats, heads and delegates."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from sqlmodel import Session, delete, select

from council import audit, names
from council.auth import hash_password
from council.database import metadata, utcnow
from council.i18n import gettext as _
from council.models import (
    ChairTerm,
    Council,
    Person,
    Seat,
    SeatKind,
    SeatRole,
    WorkingGroup,
    WorkingGroupSeat,
)
from council.rotation import add_months

COUNCIL_NAME = "North and Central American Council on Migration"
COUNCIL_NAMES = {
    "es": "Consejo de América del Norte y Centroamérica sobre Migración",
    "fr": "Conseil de l’Amérique du Nord et de l’Amérique centrale sur les migrations",
}
DOMAIN = "demo.council.example"


class RealCouncilPresent(Exception):
    """`council demo` never touches a database that holds a real council."""


# (seat name, kind, head, delegate)
SEATS = [
    ("Canada", SeatKind.MEMBER_STATE, "Claire Tremblay", "Marc-André Gagnon"),
    ("United States", SeatKind.MEMBER_STATE, "Rebecca Lawson", "Daniel Whitaker"),
    ("Mexico", SeatKind.MEMBER_STATE, "Alejandra Ruiz Domínguez", "Jorge Castañeda Mora"),
    ("Guatemala", SeatKind.MEMBER_STATE, "Lucía Coj Ixcoy", "Ricardo Barrios Pineda"),
    ("Honduras", SeatKind.MEMBER_STATE, "Marta Zelaya Funes", "Óscar Andino Reyes"),
    ("El Salvador", SeatKind.MEMBER_STATE, "Beatriz Menjívar", "Carlos Alvarenga Sosa"),
    ("Costa Rica", SeatKind.MEMBER_STATE, "Daniela Solís Vargas", "Andrés Quesada Mora"),
    ("Panama", SeatKind.MEMBER_STATE, "Itzel Batista Herrera", "Rogelio Castillo Pérez"),
    ("Belize", SeatKind.MEMBER_STATE, "Sharon Usher", "Kareem Tillett"),
    (
        "Central American Migrant Communities Network",
        SeatKind.PARTICIPANT,
        "Rosa Elena Pacheco",
        "Wilmer Hernández",
    ),
    (
        "Regional Civil Society Coalition on Migration and Asylum",
        SeatKind.PARTICIPANT,
        "Gabriela Sandoval",
        "Tomás Lemus",
    ),
    (
        "Inter-University Network for Migration Studies",
        SeatKind.PARTICIPANT,
        "Prof. Hélène Bouchard",
        "Dr. Ana Cristina Molina",
    ),
    (
        "Business Council for Fair Labour Mobility",
        SeatKind.PARTICIPANT,
        "Michael Reyes-Grant",
        "Paola Fonseca",
    ),
    (
        "Council of Indigenous Peoples of Mesoamerica",
        SeatKind.PARTICIPANT,
        "Juana Batz Tzoc",
        "Feliciano Cuc Chub",
    ),
    ("International Organization for Migration", SeatKind.OBSERVER, "Ingrid Halvorsen", None),
    ("Dominican Republic", SeatKind.OBSERVER, "Julio Peña Almonte", None),
]

# seat name -> its name in Spanish and in French, as the council writes it
SEAT_NAMES = {
    "Canada": ("Canadá", "Canada"),
    "United States": ("Estados Unidos", "États-Unis"),
    "Mexico": ("México", "Mexique"),
    "Guatemala": ("Guatemala", "Guatemala"),
    "Honduras": ("Honduras", "Honduras"),
    "El Salvador": ("El Salvador", "El Salvador"),
    "Costa Rica": ("Costa Rica", "Costa Rica"),
    "Panama": ("Panamá", "Panama"),
    "Belize": ("Belice", "Belize"),
    "Central American Migrant Communities Network": (
        "Red de Comunidades Migrantes Centroamericanas",
        "Réseau des communautés migrantes d’Amérique centrale",
    ),
    "Regional Civil Society Coalition on Migration and Asylum": (
        "Coalición Regional de la Sociedad Civil sobre Migración y Asilo",
        "Coalition régionale de la société civile sur les migrations et l’asile",
    ),
    "Inter-University Network for Migration Studies": (
        "Red Interuniversitaria de Estudios Migratorios",
        "Réseau interuniversitaire d’études sur les migrations",
    ),
    "Business Council for Fair Labour Mobility": (
        "Consejo Empresarial para una Movilidad Laboral Equitativa",
        "Conseil des entreprises pour une mobilité équitable de la main-d’œuvre",
    ),
    "Council of Indigenous Peoples of Mesoamerica": (
        "Consejo de Pueblos Indígenas de Mesoamérica",
        "Conseil des peuples autochtones de Mésoamérique",
    ),
    "International Organization for Migration": (
        "Organización Internacional para las Migraciones",
        "Organisation internationale pour les migrations",
    ),
    "Dominican Republic": ("República Dominicana", "République dominicaine"),
}

GROUPS = [
    (
        1,
        "Humanitarian protection in the region",
        "Coordinate protection of people on the move across the region: asylum capacity, "
        "safe reception, family unity and the protection of children travelling alone.",
    ),
    (
        2,
        "Regional cooperation and co-responsibility",
        "Turn shared responsibility into shared commitments: joint planning, burden sharing "
        "and common standards among the member states.",
    ),
    (
        3,
        "Political and institutional drivers of migration",
        "Address insecurity, corruption and weak institutions that force people to leave, "
        "and the rule-of-law reforms that let them stay.",
    ),
    (
        4,
        "Economic and environmental drivers of migration",
        "Examine poverty, lack of opportunity, drought and disasters as causes of migration, "
        "and investment and climate adaptation as answers.",
    ),
    (
        5,
        "Alternative migration pathways",
        "Expand safe and legal routes: labour migration programmes and protection pathways "
        "such as resettlement and humanitarian visas.",
    ),
    (
        6,
        "Integration and narratives",
        "Support the integration of migrants and returnees and promote accurate public "
        "narratives about migration.",
    ),
]

# working group number -> {language: (name, mandate)}; French puts a no-break space before a
# colon
GROUP_TRANSLATIONS = {
    1: {
        "es": (
            "Protección humanitaria en la región",
            "Coordinar la protección de las personas en movilidad en toda la región: "
            "capacidad de asilo, acogida segura, unidad familiar y protección de niñas, "
            "niños y adolescentes no acompañados.",
        ),
        "fr": (
            "Protection humanitaire dans la région",
            "Coordonner la protection des personnes en déplacement dans l’ensemble de la "
            "région\u00a0: capacités d’asile, accueil sûr, unité familiale et protection des "
            "enfants non accompagnés.",
        ),
    },
    2: {
        "es": (
            "Cooperación regional y corresponsabilidad",
            "Convertir la responsabilidad compartida en compromisos comunes: planificación "
            "conjunta, reparto equitativo de las cargas y normas comunes entre los Estados "
            "miembros.",
        ),
        "fr": (
            "Coopération régionale et coresponsabilité",
            "Traduire la responsabilité partagée en engagements communs\u00a0: planification "
            "conjointe, partage des charges et normes communes entre les États membres.",
        ),
    },
    3: {
        "es": (
            "Factores políticos e institucionales de la migración",
            "Abordar la inseguridad, la corrupción y la debilidad institucional que obligan "
            "a las personas a partir, así como las reformas del Estado de derecho que les "
            "permitan permanecer.",
        ),
        "fr": (
            "Facteurs politiques et institutionnels des migrations",
            "Remédier à l’insécurité, à la corruption et à la fragilité des institutions qui "
            "contraignent les personnes au départ, et promouvoir les réformes de l’état de "
            "droit qui leur permettent de rester.",
        ),
    },
    4: {
        "es": (
            "Factores económicos y ambientales de la migración",
            "Examinar la pobreza, la falta de oportunidades, la sequía y los desastres como "
            "causas de la migración, y la inversión y la adaptación al cambio climático como "
            "respuestas.",
        ),
        "fr": (
            "Facteurs économiques et environnementaux des migrations",
            "Examiner la pauvreté, le manque de perspectives, la sécheresse et les "
            "catastrophes en tant que causes des migrations, ainsi que l’investissement et "
            "l’adaptation aux changements climatiques en tant que réponses.",
        ),
    },
    5: {
        "es": (
            "Vías migratorias alternativas",
            "Ampliar las vías seguras y regulares: programas de migración laboral y vías de "
            "protección como el reasentamiento y las visas humanitarias.",
        ),
        "fr": (
            "Voies de migration alternatives",
            "Élargir les voies sûres et légales\u00a0: programmes de migration de "
            "main-d’œuvre et voies de protection telles que la réinstallation et les visas "
            "humanitaires.",
        ),
    },
    6: {
        "es": (
            "Integración y narrativas",
            "Apoyar la integración de las personas migrantes y retornadas, y promover "
            "narrativas públicas veraces sobre la migración.",
        ),
        "fr": (
            "Intégration et discours publics",
            "Soutenir l’intégration des personnes migrantes et rapatriées, et promouvoir un "
            "discours public fidèle aux faits sur les migrations.",
        ),
    },
}

# working group number -> (chair seat, the chair acts through the delegate rather than the head)
CHAIRS = {
    1: ("Costa Rica", False),
    2: ("Canada", False),
    3: ("Guatemala", True),
    4: ("Panama", False),
    5: ("Mexico", True),
    6: ("Central American Migrant Communities Network", False),
}
# the Indigenous peoples' organisation (4) sits last, so earlier rotation orders are unchanged
PARTICIPANTS_BY_GROUP = {
    1: [0, 1, 4],
    2: [1, 2],
    3: [1, 2, 4],
    4: [2, 3, 4],
    5: [0, 3],
    6: [0, 1, 2],
}


@dataclass(frozen=True)
class Account:
    email: str
    name: str
    seat: str
    role: str  # "secretariat", "head" or "delegate"
    chairs: tuple[str | None, ...] = ()  # the working groups it chairs; None for the council


def _email(name: str) -> str:
    plain = name.replace("Prof. ", "").replace("Dr. ", "")
    from council.seats import slugify

    return f"{slugify(plain).replace('-', '.')}@{DOMAIN}"


def _wipe(session: Session) -> None:
    for table in reversed(metadata.sorted_tables):
        session.exec(delete(table))
    session.expunge_all()


def build(session: Session, *, password: str, documents_dir: Path | None = None) -> list[Account]:
    """Create the demo council, replacing an earlier demo council if there is one; the files
    of its evidence library go to `documents_dir` (Settings.documents_dir)."""
    council = session.exec(select(Council).order_by(Council.id).limit(1)).first()
    someone = session.exec(select(Person.id).limit(1)).first()
    if (council and not council.is_demo) or (council is None and someone is not None):
        raise RealCouncilPresent(
            _(
                "This database holds a real council; `council demo` will not touch it. "
                "Point COUNCIL_DATABASE_URL at another database."
            )
        )
    from council.extensions import load_extensions

    extensions = load_extensions()  # imports their models, so _wipe empties their tables too
    _wipe(session)
    now = utcnow()
    password_hash = hash_password(password)
    council = Council(
        name=COUNCIL_NAME, is_demo=True, public_recommendations=True, official_languages="en,es,fr"
    )
    names.set_translations(council, "name", COUNCIL_NAMES)
    session.add(council)

    secretariat = Person(
        email=f"secretariat@{DOMAIN}",
        name="Amara Okafor-Lindqvist",
        is_secretariat=True,
        password_hash=password_hash,
    )
    session.add(secretariat)
    session.flush()

    seats: dict[str, Seat] = {}
    heads: dict[str, Person] = {}
    delegates: dict[str, Person] = {}
    for position, (name, kind, head, delegate) in enumerate(SEATS, start=1):
        seat = Seat(
            name=name,
            kind=kind,
            council_rotation_position=position if kind == SeatKind.MEMBER_STATE else None,
        )
        names.set_translations(seat, "name", dict(zip(("es", "fr"), SEAT_NAMES[name], strict=True)))
        session.add(seat)
        session.flush()
        seats[name] = seat
        audit.record(
            session, by=secretariat, action="seat.created", target=seat, name=name, kind=kind
        )
        for person_name, role in ((head, SeatRole.HEAD), (delegate, SeatRole.DELEGATE)):
            if person_name is None:
                continue
            person = Person(
                email=_email(person_name),
                name=person_name,
                seat_id=seat.id,
                seat_role=role,
                password_hash=password_hash,
            )
            session.add(person)
            session.flush()
            (heads if role == SeatRole.HEAD else delegates)[name] = person
            audit.record(
                session,
                by=secretariat,
                action="person.created",
                target=person,
                seat=name,
                role=role,
            )

    member_states = [name for name, kind, *_ in SEATS if kind == SeatKind.MEMBER_STATE]
    participants = [name for name, kind, *_ in SEATS if kind == SeatKind.PARTICIPANT]
    observers = [name for name, kind, *_ in SEATS if kind == SeatKind.OBSERVER]
    groups: dict[int, WorkingGroup] = {}
    chairs: dict[int, Person] = {}
    for number, name, mandate in GROUPS:
        group = WorkingGroup(
            number=number,
            name=name,
            slug=f"wg{number}",
            mandate=mandate,
            observers_read_deliberations=number in (5, 6),
        )
        translated = GROUP_TRANSLATIONS[number]
        names.set_translations(group, "name", {code: pair[0] for code, pair in translated.items()})
        names.set_translations(
            group, "mandate", {code: pair[1] for code, pair in translated.items()}
        )
        session.add(group)
        session.flush()
        groups[number] = group
        audit.record(session, by=secretariat, action="group.created", target=group, name=name)
        sitting = member_states + [participants[i] for i in PARTICIPANTS_BY_GROUP[number]]
        for place, seat_name in enumerate(sitting, start=1):
            session.add(
                WorkingGroupSeat(
                    working_group_id=group.id, seat_id=seats[seat_name].id, rotation_position=place
                )
            )
        for seat_name in observers:
            session.add(WorkingGroupSeat(working_group_id=group.id, seat_id=seats[seat_name].id))
        chair_seat, by_delegate = CHAIRS[number]
        acting = (delegates if by_delegate else heads)[chair_seat]
        chairs[number] = acting
        _past_and_current_terms(
            session,
            secretariat,
            body=name,
            group_id=group.id,
            order=[seats[n].id for n in sitting],
            seat=seats[chair_seat],
            acting=acting,
            started=now - timedelta(days=60),
            months=group.chair_term_months,
        )

    council_order = [seats[n].id for n in member_states]
    _past_and_current_terms(
        session,
        secretariat,
        body="council",
        group_id=None,
        order=council_order,
        seat=seats["Canada"],
        acting=heads["Canada"],
        started=now - timedelta(days=200),
        months=24,
    )

    for extension in extensions:
        if extension.seed_demo:
            extension.seed_demo(
                session,
                groups=groups,
                seats=seats,
                heads=heads,
                delegates=delegates,
                secretariat=secretariat,
                now=now,
                documents_dir=documents_dir,
            )
    chaired: dict[int, list[str | None]] = {heads["Canada"].id: [None]}
    for number, person in chairs.items():
        chaired.setdefault(person.id, []).append(groups[number].name)
    return _accounts(secretariat, heads, delegates, chaired)


def _past_and_current_terms(
    session: Session,
    secretariat: Person,
    *,
    body: str,
    group_id: int | None,
    order: list[int],
    seat: Seat,
    acting: Person,
    started,
    months: int,
) -> None:
    """The running term of `seat`, and the full term before it of the previous seat in order,
    so the history page shows a past term, the current chair and whose turn comes next."""
    previous_id = order[order.index(seat.id) - 1]
    past = ChairTerm(
        working_group_id=group_id,
        seat_id=previous_id,
        starts_at=add_months(started, -months),
        ends_at=started,
    )
    current = ChairTerm(
        working_group_id=group_id,
        seat_id=seat.id,
        acting_person_id=acting.id,
        starts_at=started,
        ends_at=add_months(started, months),
    )
    for term in (past, current):
        session.add(term)
        session.flush()
        audit.record(
            session,
            by=secretariat,
            action="chair.term_started",
            target=term,
            body=body,
            seat=session.get(Seat, term.seat_id).name,
            acting=acting.name if term is current else None,
        )


def _accounts(secretariat, heads, delegates, chaired) -> list[Account]:
    rows = [Account(secretariat.email, secretariat.name, "—", "secretariat")]
    for name, *_details in SEATS:
        for person, role in ((heads.get(name), "head"), (delegates.get(name), "delegate")):
            if person is None:
                continue
            rows.append(
                Account(person.email, person.name, name, role, tuple(chaired.get(person.id, [])))
            )
    return rows


def _role(account: Account) -> str:
    labels = {"secretariat": _("secretariat"), "head": _("head"), "delegate": _("delegate")}
    chairs = [
        _("chair: the council") if body is None else _("chair: %(group)s", group=body)
        for body in account.chairs
    ]
    return ", ".join([labels[account.role], *chairs])


def accounts_table(accounts: list[Account], password: str) -> str:
    header = (_("Email"), _("Name"), _("Seat"), _("Role"))
    rows = [header, *((a.email, a.name, a.seat, _role(a)) for a in accounts)]
    widths = [max(len(row[i]) for row in rows) for i in range(4)]
    lines = [
        "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip()
        for row in rows
    ]
    lines.insert(1, "  ".join("-" * width for width in widths))
    return "\n".join(
        [
            _("Demo council ready: %(council)s", council=COUNCIL_NAME),
            _("Every account below signs in with the password: %(password)s", password=password),
            "",
            *lines,
        ]
    )
