"""The whole demo year in order."""

from __future__ import annotations

from services.cli.demo import awards, evaluation, organisation, pledges
from services.cli.demo.steps import Step


def year() -> list[Step]:
    return [
        organisation.launch(),
        *organisation.units(),
        organisation.enrolment(),
        organisation.benchmarks(),
        pledges.pledges(),
        *awards.half_year("H1"),
        evaluation.reviews(),
        *evaluation.mass_evaluation(),
        *awards.half_year("H2"),
        awards.revocation(),
    ]
