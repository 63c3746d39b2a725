"""The pure rules of amendments: applying a batch, outdating, sub-amendments, merging."""

from __future__ import annotations

import pytest

from workspaces import amending
from workspaces.amending import DELETE, INSERT, REPLACE, Change, Proposal

TEXT = [("a", "First."), ("b", "Second."), ("c", "Third."), ("d", "Fourth.")]


def proposal(key: int, *changes: Change, number: int | None = None) -> Proposal:
    return Proposal(key, number or key, tuple(changes))


def replace(pid: str, text: str, original: str = "") -> Change:
    return Change(REPLACE, pid, text, original or dict(TEXT).get(pid, ""))


def insert(after: str, text: str, new_id: str) -> Change:
    return Change(INSERT, after, text, dict(TEXT).get(after, ""), new_id)


def delete(pid: str) -> Change:
    return Change(DELETE, pid, "", dict(TEXT).get(pid, ""))


@pytest.mark.parametrize(
    ("accepted", "expected"),
    [
        # nothing accepted: the text stays, no paragraph has a new origin
        (
            [],
            [
                ("a", "First.", None),
                ("b", "Second.", None),
                ("c", "Third.", None),
                ("d", "Fourth.", None),
            ],
        ),
        # one replacement keeps the paragraph's id and records the amendment
        (
            [proposal(7, replace("b", "Second, amended."))],
            [
                ("a", "First.", None),
                ("b", "Second, amended.", 7),
                ("c", "Third.", None),
                ("d", "Fourth.", None),
            ],
        ),
        # an insertion after a deleted paragraph takes its place
        (
            [proposal(1, delete("b")), proposal(2, insert("b", "New.", "n1"))],
            [
                ("a", "First.", None),
                ("n1", "New.", 2),
                ("c", "Third.", None),
                ("d", "Fourth.", None),
            ],
        ),
        # two insertions after the same paragraph follow in amendment order, whatever the list order
        (
            [proposal(5, insert("a", "Later.", "n5")), proposal(3, insert("a", "Earlier.", "n3"))],
            [
                ("a", "First.", None),
                ("n3", "Earlier.", 3),
                ("n5", "Later.", 5),
                ("b", "Second.", None),
                ("c", "Third.", None),
                ("d", "Fourth.", None),
            ],
        ),
        # one amendment with several changes: each paragraph it makes says so
        (
            [proposal(4, replace("a", "One."), delete("c"), insert("d", "Five.", "n4"))],
            [("a", "One.", 4), ("b", "Second.", None), ("d", "Fourth.", None), ("n4", "Five.", 4)],
        ),
        # amendments on different paragraphs apply together
        (
            [proposal(1, replace("a", "One.")), proposal(2, replace("d", "Four."))],
            [("a", "One.", 1), ("b", "Second.", None), ("c", "Third.", None), ("d", "Four.", 2)],
        ),
    ],
)
def test_a_batch_of_accepted_amendments_makes_the_next_text(accepted, expected):
    assert amending.apply(TEXT, accepted) == expected


def test_paragraphs_moved_between_revisions_are_amended_by_id_not_place():
    moved = [("c", "Third."), ("a", "First."), ("b", "Second.")]

    result = amending.apply(moved, [proposal(1, replace("a", "One."))])

    assert result == [("c", "Third.", None), ("a", "One.", 1), ("b", "Second.", None)]


@pytest.mark.parametrize("second", [replace("b", "Other."), delete("b")])
def test_two_amendments_on_one_paragraph_clash(second):
    with pytest.raises(amending.Clash) as clash:
        amending.apply(TEXT, [proposal(3, replace("b", "Mine.")), proposal(9, second)])
    assert (clash.value.paragraph_id, clash.value.numbers) == ("b", [3, 9])


def test_a_change_to_a_paragraph_the_text_lost_is_refused():
    with pytest.raises(amending.Gone) as gone:
        amending.apply(TEXT, [proposal(2, replace("z", "Nowhere."))])
    assert (gone.value.number, gone.value.paragraph_id) == (2, "z")


@pytest.mark.parametrize(
    ("changes", "current", "outdated"),
    [
        ([replace("b", "New.", "Second.")], dict(TEXT), False),
        ([replace("b", "New.", "Second.")], {**dict(TEXT), "b": "Second, edited."}, True),
        ([replace("b", "New.", "Second.")], {"a": "First."}, True),
        ([delete("c")], {**dict(TEXT), "c": "Changed."}, True),
        # an insertion only needs the paragraph it follows, whatever its text now
        ([insert("a", "New.", "n")], {**dict(TEXT), "a": "First, edited."}, False),
        ([insert("a", "New.", "n")], {"b": "Second."}, True),
        # a change elsewhere leaves it current
        ([replace("b", "New.", "Second.")], {**dict(TEXT), "a": "Changed."}, False),
    ],
)
def test_an_amendment_is_outdated_when_its_paragraph_changed(changes, current, outdated):
    assert amending.is_outdated(changes, current) is outdated


def test_an_accepted_sub_amendment_rewrites_only_its_change_of_the_parent():
    parent = [replace("a", "One."), insert("b", "Inserted.", "n1"), delete("c")]
    sub = [Change(REPLACE, "n1", "Inserted, better.", "Inserted.")]

    assert not amending.sub_amendment_outdated(sub, parent)
    amended = amending.amend_parent(parent, sub)

    assert [c.text for c in amended] == ["One.", "Inserted, better.", ""]
    assert [c.key for c in amended] == ["a", "n1", "c"]
    assert amending.sub_amendment_outdated(sub, amended)  # its original is gone now


@pytest.mark.parametrize(
    ("proposals", "target"),
    [
        ([[replace("b", "X.")], [replace("b", "Y.")]], "b"),
        ([[replace("b", "X.")], [delete("b")], [replace("b", "Z.")]], "b"),
        ([[replace("b", "X.")]], None),  # one alone is accepted, not merged
        ([[replace("b", "X.")], [replace("c", "Y.")]], None),  # different paragraphs
        ([[replace("b", "X.")], [insert("b", "Y.", "n")]], None),  # an insertion
        ([[replace("b", "X."), replace("c", "Y.")], [replace("b", "Z.")]], None),  # two paragraphs
    ],
)
def test_only_amendments_on_one_same_paragraph_merge(proposals, target):
    assert amending.merged_paragraph(proposals) == target
