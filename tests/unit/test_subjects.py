"""The subject scheme: organisation tokens, boundary filters across organisations, NATS wildcard matching."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from shared import tenancy
from shared.subjects import (
    BadOrganisation,
    BadSubject,
    Boundary,
    command_pattern,
    command_subject,
    organisation_events,
    organisation_of_command,
    parse_event_subject,
    subject_matches,
)

TOKENS = st.from_regex(r"[A-Za-z0-9_-]{1,12}", fullmatch=True)


@given(context=TOKENS, org=TOKENS, boundary=TOKENS, type_=TOKENS)
def test_an_event_subject_parses_back_into_its_tokens(context: str, org: str, boundary: str, type_: str) -> None:
    subject = Boundary(context, boundary, org).subject(type_)
    parsed = parse_event_subject(subject)
    assert (parsed.context, parsed.organisation, parsed.boundary_id, parsed.type) == (context, org, boundary, type_)
    assert subject_matches(Boundary(context, boundary).filter, subject)
    assert subject_matches(organisation_events(org), subject)


def test_a_boundary_filter_spans_organisations_but_not_other_boundaries() -> None:
    mine, theirs = Boundary("pledges", "p1", "org-a"), Boundary("pledges", "p1", "org-b")
    assert mine.filter == theirs.filter == "ps.evt.pledges.*.p1.*"
    assert subject_matches(mine.filter, theirs.subject("PledgeMade"))
    assert not subject_matches(mine.filter, Boundary("pledges", "p2", "org-a").subject("PledgeMade"))
    assert not subject_matches(organisation_events("org-a"), theirs.subject("PledgeMade"))


@pytest.mark.parametrize(
    "subject", ["ps.evt.pledges.p1.PledgeMade", "ps.evt.pledges.a.p1.PledgeMade.x", "ps.cmd.a.b.c.d", "ps.evt..a.b.c"]
)
def test_a_subject_outside_the_scheme_is_refused_by_name(subject: str) -> None:
    with pytest.raises(BadSubject, match=r"is not ps\.evt"):
        parse_event_subject(subject)


def test_a_command_subject_names_its_organisation_and_services_subscribe_to_all() -> None:
    subject = command_subject("pledges", "MakePledge", "org-a")
    assert subject == "ps.cmd.pledges.org-a.MakePledge"
    assert organisation_of_command(subject) == "org-a"
    assert command_pattern("pledges", "MakePledge") == "ps.cmd.pledges.{organisation}.MakePledge"
    assert command_subject("pledges", "MakePledge") == "ps.cmd.pledges.default.MakePledge"


@pytest.mark.parametrize(
    ("pattern", "subject", "expected"),
    [
        ("a.*.c", "a.b.c", True),
        ("a.*.c", "a.b.d", False),
        ("a.>", "a.b.c", True),
        ("a.>", "a", False),
        ("a.b", "a.b.c", False),
        ("a.b.c", "a.b", False),
    ],
)
def test_wildcards_follow_nats_rules(pattern: str, subject: str, expected: bool) -> None:
    assert subject_matches(pattern, subject) is expected


def test_the_organisation_scope_nests_and_refuses_a_bad_token() -> None:
    assert tenancy.current() == "default"
    with tenancy.acting_for("org-a"):
        assert tenancy.current() == "org-a"
        with tenancy.acting_for("org-b"):
            assert tenancy.current() == "org-b"
        assert tenancy.current() == "org-a"
    assert tenancy.current() == "default"
    with pytest.raises(BadOrganisation), tenancy.acting_for("a.b"):
        pass


@pytest.mark.parametrize("subject", ["ps.cmd.pledges.MakePledge", "ps.cmd.a.b.c.d", "test.cmd.x"])
def test_a_command_subject_without_an_organisation_token_is_refused(subject: str) -> None:
    with pytest.raises(BadOrganisation, match=r"is not ps\.cmd"):
        organisation_of_command(subject)
