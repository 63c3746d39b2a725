"""The council's words: one Spanish and one French term per concept, as docs/GLOSSARY.md says.

The glossary's table (English | Spanish | French | notes) is the reference. For the key terms
below, every message whose English names the concept must use the glossary's term in its
translation (any inflection: the test matches a stem, so "delegación" also finds "delegaciones"
and "délégation" finds "délégations"). A new string that says "cycle" for a round, "escaño" for a
seat or "revisar" for revising fails here: use the glossary's term or, when the English word means
something else, add the message to EXCEPTIONS with the reason.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.council.test_catalogues import PLACEHOLDER, catalogue, key, label

ROOT = Path(__file__).resolve().parents[2]
GLOSSARY = ROOT / "docs" / "GLOSSARY.md"

# Glossary row (its English cell) -> the English words that name the concept in a msgid.
KEY_TERMS = {
    "round": r"rounds?",
    "amendment": r"(?:sub-)?amendments?",
    "seat": r"seats?",
    "reservation": r"reservations?",
    "objection": r"objections?|object(?:s|ed|ing)?",
    "chair's statement": r"chair's statements?",
    "working group": r"working groups?",
    "draft": r"drafts?",
    "revise (whole text)": r"revis(?:e|es|ed|ing)",
}

# (glossary row, msgid) -> why the English word does not name the concept there.
EXCEPTIONS = {
    (
        "objection",
        "COUNCIL_OIDC_PROVIDERS entry %(number)s must be a JSON object.",
    ): "a JSON object (objeto, objet), not an objection",
}

# The glossary must at least define these concepts.
REQUIRED_ROWS = (
    "working group",
    "seat",
    "member state",
    "participant",
    "observer",
    "chair",
    "vice chair",
    "acting chair",
    "secretariat",
    "draft",
    "revision (numbered)",
    "revise (whole text)",
    "amendment",
    "sub-amendment",
    "editorial change",
    "support (an amendment)",
    "round",
    "comment round",
    "decision round",
    "position",
    "support (position)",
    "support with a reservation",
    "reservation",
    "abstain",
    "objection",
    "quorum",
    "consensus",
    "chair's statement",
    "observer statement",
    "recommendation",
    "adopted",
    "not adopted",
    "withdrawn",
    "language version",
    "official language",
    "provenance",
    "footnote",
    "notification",
    "sign in",
    "sign out",
)


def glossary() -> dict[str, dict[str, str]]:
    """English term -> {"es": term, "fr": term}, from the glossary's table."""
    terms = {}
    for line in GLOSSARY.read_text(encoding="utf-8").splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if not line.lstrip().startswith("|") or len(cells) < 3:
            continue
        english, spanish, french = cells[:3]
        if english.lower() == "english" or set(english) <= set("-: "):
            continue  # the header and its separator
        assert english not in terms, f"{english!r} is in the glossary twice"
        terms[english] = {"es": spanish, "fr": french}
    return terms


def stem(term: str, language: str) -> re.Pattern:
    """A pattern for the term and its inflections: plural, gender, verb forms, elision.

    Spanish -ción/-sión words lose "ón" (delegación, delegaciones); infinitives lose their
    ending (modificar: modificarse, modificación; réviser: révisé, révision)."""
    ending = r"[cs]ión$|^.{4,}(ar|er|ir)$" if language == "es" else r"^.{4,}er$"
    words = [
        re.escape(word[:-2] if re.search(ending, word) else word) for word in term.lower().split()
    ]
    return re.compile(r"\w*\s+".join(words), re.IGNORECASE)


def texts(value) -> tuple[str, ...]:
    return value if isinstance(value, tuple) else (value,)


def english(message) -> str:
    """The msgid (both forms), without its placeholders: %(seat)s names no seat."""
    return " ".join(PLACEHOLDER.sub(" ", text) for text in texts(message.id))


def translated(message) -> tuple[str, ...]:
    """The msgstr forms, without their placeholders: %(revision)s is no Spanish word."""
    return tuple(PLACEHOLDER.sub(" ", text) for text in texts(message.string) if text)


def messages(language: str):
    return [message for message in catalogue(language) if message.id]


def test_the_glossary_defines_each_concept_once_in_each_language():
    terms = glossary()
    missing = [row for row in REQUIRED_ROWS + tuple(KEY_TERMS) if row not in terms]
    assert not missing, f"docs/GLOSSARY.md has no row for {missing}"
    empty = [english for english, row in terms.items() if not row["es"] or not row["fr"]]
    assert not empty, f"docs/GLOSSARY.md gives no Spanish or French term for {empty}"
    assert terms["round"] == {"es": "ronda", "fr": "tour"}
    assert terms["seat"] == {"es": "delegación", "fr": "délégation"}
    assert terms["draft"] == {"es": "borrador", "fr": "projet"}


@pytest.mark.parametrize("language", ["es", "fr"])
@pytest.mark.parametrize("concept", sorted(KEY_TERMS))
def test_each_key_term_is_translated_by_the_glossary_term(concept, language):
    term = glossary()[concept][language]
    wanted = stem(term, language)
    named = re.compile(rf"\b(?:{KEY_TERMS[concept]})\b", re.IGNORECASE)
    wrong = []
    for message in messages(language):
        if (concept, texts(message.id)[0]) in EXCEPTIONS or not named.search(english(message)):
            continue
        for text in translated(message):
            if not wanted.search(text):
                wrong.append(f"{label(key(message))} → {text}")
    assert not wrong, (
        f"{language}: {concept!r} is {term!r} in docs/GLOSSARY.md, "
        f"but these translations do not say it: {wrong[:10]}"
    )


def test_the_exceptions_are_still_needed():
    """An exception whose message is gone, or no longer names the concept, is removed."""
    ids = {texts(message.id)[0]: message for message in messages("es")}
    stale = [
        (concept, msgid)
        for concept, msgid in EXCEPTIONS
        if msgid not in ids
        or not re.search(rf"\b(?:{KEY_TERMS[concept]})\b", english(ids[msgid]), re.IGNORECASE)
    ]
    assert not stale, f"remove these from EXCEPTIONS: {stale}"


def test_a_round_is_a_tour_in_french_never_a_cycle():
    cycles = [
        f"{label(key(message))} → {text}"
        for message in messages("fr")
        for text in translated(message)
        if re.search(r"\bcycles?\b", text, re.I)
    ]
    assert not cycles, f"fr: a round is a « tour » (docs/GLOSSARY.md): {cycles[:10]}"


@pytest.mark.parametrize("language, word", [("es", r"rondas?"), ("fr", r"tours?")])
def test_the_word_for_a_round_means_only_a_round(language, word):
    """French says the chair's rotation without « tour », so a « tour » is always a round."""
    rounds = re.compile(rf"\b(?:{KEY_TERMS['round']})\b", re.IGNORECASE)
    elsewhere = [
        f"{label(key(message))} → {text}"
        for message in messages(language)
        for text in translated(message)
        if re.search(rf"\b{word}\b", text, re.I) and not rounds.search(english(message))
    ]
    assert not elsewhere, f"{language}: {word} used for something else than a round: {elsewhere}"


def test_spanish_never_says_revisar():
    """Revisar reads as "review": the text is modificado, and what one checks, comprobado."""
    revisar = [
        f"{label(key(message))} → {text}"
        for message in messages("es")
        for text in translated(message)
        if re.search(r"\brevis", text, re.I)
    ]
    assert not revisar, f"es: use modificar (or comprobar for checking): {revisar[:10]}"


def test_french_typography():
    """U+00A0 before a colon and inside « »; U+202F before ; ? !; the apostrophe ’."""
    rules = [
        (re.compile(r"(?<!\u00a0):(?!//)"), "a no-break space (U+00A0) before :"),
        (re.compile(r"(?<!\u202f)[;?!]"), "a narrow no-break space (U+202F) before ; ? !"),
        (re.compile(r"«(?!\u00a0)|(?<!\u00a0)»"), "a no-break space inside « »"),
        (re.compile(r"['\"“”]"), "’ and « », not ' \" “ ”"),
    ]
    broken = [
        f"{label(key(message))} → {text} ({rule})"
        for message in messages("fr")
        for text in texts(message.string)
        for pattern, rule in rules
        if text and pattern.search(PLACEHOLDER.sub("", text))
    ]
    assert not broken, f"fr: {broken[:10]}"


def test_spanish_typography():
    """¿…? and ¡…!, « » without inner spaces, no straight quotes."""
    broken = []
    for message in messages("es"):
        for text in texts(message.string):
            if (
                text.count("¿") != text.count("?")
                or text.count("¡") != text.count("!")
                or re.search(r"['\"“”]|«\s|\s»", text)
            ):
                broken.append(f"{label(key(message))} → {text}")
    assert not broken, f"es: {broken[:10]}"
