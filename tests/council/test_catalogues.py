"""Catalogues: complete Spanish and French, sound placeholders, a .pot that matches the code.

English is the source language. Its catalogue keeps every msgstr empty: Babel's compiler leaves
untranslated messages out (and fills empty plural forms with the msgid), so gettext answers with
the msgid itself. Filling it with copies of the msgids would only add a second place to update.

When a test here fails after you added or changed a string: run `make messages`, then translate
the new entries of the es and fr catalogues (no fuzzy flags, same placeholders).
"""

from __future__ import annotations

import re
import shlex
from collections import Counter
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog, Message
from babel.messages.frontend import CommandLineInterface
from babel.messages.pofile import read_po

from council import i18n
from tests.conftest import sign_in
from tests.factories import make_council, make_group, make_person, make_seat

ROOT = Path(__file__).resolve().parents[2]
TEMPLATE = i18n.CATALOGUE_DIR / f"{i18n.DOMAIN}.pot"
LANGUAGES = ("en", "es", "fr")
TRANSLATED = ("es", "fr")

# %(name)s with optional flags/width/precision, positional %s, a literal %%, and {name} fields.
PLACEHOLDER = re.compile(
    r"%\(\w+\)[#0\- +]?\d*(?:\.\d+)?[diouxXeEfFgGcrsa]"
    r"|%[#0\- +]?\d*(?:\.\d+)?[diouxXeEfFgGcrsa%]"
    r"|\{\w*(?:![rsa])?(?::[^{}]*)?\}"
)


def read(path: Path, language: str | None = None) -> Catalog:
    with path.open("rb") as handle:
        return read_po(handle, locale=language)


def catalogue(language: str) -> Catalog:
    return read(i18n.CATALOGUE_DIR / language / "LC_MESSAGES" / f"{i18n.DOMAIN}.po", language)


def key(message: Message) -> tuple:
    """(context, msgid): "From" of a date and "From" of a revision are two messages."""
    return message.context, message.id


def ids(cat: Catalog) -> set:
    return {key(message) for message in cat if message.id}


def label(message_key: tuple) -> str:
    context, msgid = message_key
    text = " | ".join(msgid) if isinstance(msgid, tuple) else msgid
    return f"{text} [{context}]" if context else text


def placeholders(text: str) -> Counter:
    return Counter(PLACEHOLDER.findall(text))


def stray_percent(text: str) -> bool:
    """A % that starts no placeholder would break the %-formatting every template string gets."""
    return text.count("%") != sum(token.count("%") for token in PLACEHOLDER.findall(text))


def edges(text: str) -> tuple[bool, bool]:
    return text[:1].isspace(), text[-1:].isspace()


def makefile_extract_arguments() -> list[str]:
    """The `pybabel extract` arguments of `make messages`, so this test cannot drift from it."""
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8").replace("\\\n", " ")
    match = re.search(r"pybabel extract (.+)", makefile)
    assert match, "the Makefile has no `pybabel extract` command"
    arguments = shlex.split(match.group(1))
    output = arguments.index("-o")
    assert arguments[output + 1] == str(TEMPLATE.relative_to(ROOT))
    return arguments[:output] + arguments[output + 2 :]


def test_template_lists_every_string_of_the_code(tmp_path, monkeypatch):
    fresh = tmp_path / "messages.pot"
    monkeypatch.chdir(ROOT)
    CommandLineInterface().run(
        ["pybabel", "-q", "extract", *makefile_extract_arguments(), "-o", str(fresh)]
    )
    extracted, committed = ids(read(fresh)), ids(read(TEMPLATE))
    new = sorted(label(msgid) for msgid in extracted - committed)
    gone = sorted(label(msgid) for msgid in committed - extracted)
    assert not new and not gone, (
        f"council/translations/messages.pot is out of date: run `make messages` and translate.\n"
        f"In the code, not in the .pot: {new}\nIn the .pot, no longer in the code: {gone}"
    )


@pytest.mark.parametrize("language", LANGUAGES)
def test_catalogue_has_exactly_the_template_messages(language):
    cat = catalogue(language)
    template = ids(read(TEMPLATE))
    assert not cat.fuzzy, f"{language}: the header is marked fuzzy"
    assert not cat.obsolete, (
        f"{language}: obsolete entries (#~) left: "
        f"{sorted(label(key(message)) for message in cat.obsolete.values())[:10]}"
    )
    missing = sorted(label(msgid) for msgid in template - ids(cat))
    extra = sorted(label(msgid) for msgid in ids(cat) - template)
    assert not missing and not extra, (
        f"{language}: run `make messages`. Missing: {missing[:10]} Not in the .pot: {extra[:10]}"
    )
    fuzzy = [label(key(message)) for message in cat if message.id and message.fuzzy]
    assert not fuzzy, f"{language}: fuzzy entries: {fuzzy[:10]}"


def test_plural_rules_are_the_languages_own():
    assert catalogue("es").plural_expr == "(n != 1)"
    assert catalogue("fr").plural_expr == "(n > 1)"


@pytest.mark.parametrize("language", TRANSLATED)
def test_every_message_is_translated(language):
    cat = catalogue(language)
    untranslated = []
    for message in cat:
        if not message.id:
            continue
        forms = message.string if message.pluralizable else (message.string,)
        expected = cat.num_plurals if message.pluralizable else 1
        if len(forms) != expected or not all(form and form.strip() for form in forms):
            untranslated.append(label(key(message)))
    assert not untranslated, f"{language}: {len(untranslated)} untranslated: {untranslated[:20]}"


@pytest.mark.parametrize("language", TRANSLATED)
def test_translations_keep_the_placeholders(language):
    broken = []
    for message in catalogue(language):
        if not message.id:
            continue
        if message.pluralizable:
            singular, plural = (placeholders(text) for text in message.id)
            allowed = set(singular) | set(plural)
            # A form may leave out the count (e.g. "once"), never another value.
            required = {token for token in allowed if not token.startswith("%(num)")}
            for form in message.string:
                found = set(placeholders(form))
                if not found <= allowed or not required <= found or stray_percent(form):
                    broken.append((label(key(message)), form))
        elif message.string and (
            placeholders(message.string) != placeholders(message.id)
            or stray_percent(message.string)
        ):
            broken.append((label(key(message)), message.string))
    assert not broken, f"{language}: placeholders differ from the msgid: {broken[:10]}"


@pytest.mark.parametrize("language", TRANSLATED)
def test_translations_keep_leading_and_trailing_spaces(language):
    """Fragments such as "[added] " are glued to other text; losing the space joins words."""
    broken = []
    for message in catalogue(language):
        if not message.id or message.pluralizable or not message.string:
            continue
        if edges(message.id) != edges(message.string):
            broken.append(label(key(message)))
    assert not broken, f"{language}: {broken}"


# French sets a no-break space before a colon and a narrow one before ; ? ! (not in a URL).
FRENCH_PUNCTUATION = re.compile(r"(?<![\u00a0\u202f])[:;?!](?!//)")
# An expression or a tag glued to a colon in a template ("{{ _("Deadline") }}: ...",
# "{% endif %}: ...") keeps French from spacing it: the colon belongs inside the translation.
GLUED_COLON = re.compile(r"(\}\}|%\})[ \t]*:")


def test_french_spaces_its_punctuation():
    broken = []
    for message in catalogue("fr"):
        forms = message.string if message.pluralizable else (message.string,)
        text = " ".join(form for form in forms if form)
        unplaced = PLACEHOLDER.sub("", text)
        if message.id and FRENCH_PUNCTUATION.search(unplaced):
            broken.append((label(key(message)), text))
    assert not broken, f"fr: write a no-break space before : ; ? ! in {broken[:10]}"


def test_templates_keep_colons_inside_the_translations():
    glued = [
        f"{path.relative_to(ROOT)}:{number}"
        for path in sorted((ROOT / "templates").rglob("*.html"))
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if GLUED_COLON.search(line)
    ]
    assert not glued, f"a colon after {{{{ ... }}}} cannot be spaced in French: {glued}"


@pytest.mark.parametrize(
    "language, context, message, expected",
    [
        ("es", "draft status", "Withdrawn", "Retirado"),
        ("es", "invitation status", "Withdrawn", "Retirada"),
        ("fr", "draft status", "Withdrawn", "Retiré"),
        ("fr", "invitation status", "Withdrawn", "Retirée"),
        ("fr", "start of a chair term", "From", "Début"),
        ("fr", "compared revisions", "From", "De"),
        ("en", "invitation status", "Withdrawn", "Withdrawn"),
    ],
)
def test_a_context_chooses_the_form(language, context, message, expected):
    translations = i18n.load_catalogues(LANGUAGES)[language]
    with i18n.speaking(language, translations):
        assert i18n.pgettext(context, message) == expected


def test_catalogues_compile_and_translate():
    catalogues = i18n.load_catalogues(LANGUAGES)
    assert catalogues["en"].gettext("Working groups") == "Working groups"
    assert catalogues["es"].gettext("Working groups") == "Grupos de trabajo"
    assert catalogues["fr"].gettext("Working groups") == "Groupes de travail"


@pytest.mark.parametrize(
    "language, counts",
    [
        ("en", {0: "0 comments", 1: "1 comment", 2: "2 comments"}),
        ("es", {0: "0 comentarios", 1: "1 comentario", 2: "2 comentarios"}),
        ("fr", {0: "0 commentaire", 1: "1 commentaire", 2: "2 commentaires"}),
    ],
)
def test_plural_forms_follow_each_language(language, counts):
    translations = i18n.load_catalogues(LANGUAGES)[language]
    with i18n.speaking(language, translations):
        for n, expected in counts.items():
            assert i18n.ngettext("%(num)s comment", "%(num)s comments", n) == expected


@pytest.fixture
def member(db):
    make_council(db)
    seat = make_seat(
        db, name="Costa Rica", name_translations='{"es": "Costa Rica", "fr": "Costa Rica"}'
    )
    make_group(db, seats=[seat, make_seat(db), make_seat(db)], name="Integration and narratives")
    person = make_person(db, seat=seat)
    db.commit()
    return person


@pytest.mark.parametrize(
    "language, strings",
    [
        (
            "es",
            [
                "Iniciar sesión",
                "Correo electrónico",
                "¿Ha olvidado su contraseña?",
                "Ir al contenido principal",
            ],
        ),
        (
            "fr",
            [
                "Se connecter",
                "Adresse électronique",
                "Mot de passe oublié\u202f?",
                "Aller au contenu principal",
            ],
        ),
    ],
)
def test_sign_in_page_in_the_browser_language(client, language, strings):
    response = client.get("/sign-in", headers={"Accept-Language": language})
    assert response.status_code == 200
    assert f'<html lang="{language}">' in response.text
    for text in strings:
        assert text in response.text
    assert "Forgot your password?" not in response.text


@pytest.mark.parametrize(
    "language, strings",
    [
        (
            "es",
            [
                "Grupos de trabajo",
                "Presidencia del Consejo:",
                "Cerrar sesión",
                "Participa en nombre de Costa Rica.",
                "3 Estados miembros",
                "0 observadores",
            ],
        ),
        (
            "fr",
            [
                "Groupes de travail",
                "Présidence du Conseil\u00a0:",
                "Se déconnecter",
                "Votre délégation\u00a0: Costa Rica.",
                "3 États membres",
                "0 observateur",
            ],
        ),
    ],
)
def test_signed_in_home_page_in_the_browser_language(client, member, language, strings):
    sign_in(client, member)
    response = client.get("/", headers={"Accept-Language": f"{language},en;q=0.5"})
    assert response.status_code == 200
    assert f'<html lang="{language}">' in response.text
    for text in strings:
        assert text in response.text
    assert "Sign out" not in response.text
