"""The awards context's domain errors: each names the rule it enforces (the reply's `rule`)."""

from __future__ import annotations

from shared.errors import NotFound, RuleViolated


class AwardRoundNotFound(NotFound):
    def __init__(self, round_id: str) -> None:
        super().__init__(f"award round {round_id} is not open")


class UnknownCategory(NotFound):
    def __init__(self, campaign_id: str, category_id: str) -> None:
        super().__init__(f"campaign {campaign_id} has no award category {category_id} in that period")


class AwardRoundAlreadyOpen(RuleViolated):
    def __init__(self, round_id: str) -> None:
        super().__init__("one_round_per_category_and_period", f"award round {round_id} already exists")


class PeriodDoesNotMatchCategory(RuleViolated):
    def __init__(self, period: str, kind: str) -> None:
        super().__init__("period_of_category", f"period {period} is not a {kind} period")


class PeriodOutsideCampaign(RuleViolated):
    def __init__(self, period: str, year: int) -> None:
        super().__init__("period_in_campaign_year", f"period {period} is not in the campaign year {year}")


class NominationsClosedAlready(RuleViolated):
    def __init__(self, round_id: str) -> None:
        super().__init__("nomination_before_deadline", f"nominations for {round_id} are closed")


class WrongKindOfNominee(RuleViolated):
    def __init__(self, winner: str, kind: str) -> None:
        super().__init__("nominee_kind", f"this award goes to a {winner}, not a {kind}")


class NomineeNotEnrolled(RuleViolated):
    def __init__(self, nominee_id: str) -> None:
        super().__init__("nominee_enrolled", f"{nominee_id} is not enrolled in the campaign")


class NoApprovedPledge(RuleViolated):
    def __init__(self, nominee_id: str) -> None:
        super().__init__("approved_pledge", f"{nominee_id} has no approved pledge named in the nomination")


class FailingGrade(RuleViolated):
    def __init__(self, nominee_id: str, grade: str) -> None:
        super().__init__("no_failing_grade", f"{nominee_id} was graded {grade} in the latest evaluation")


class NotSelf(RuleViolated):
    def __init__(self) -> None:
        super().__init__(
            "self_application_by_nominee", "a self-application (申报) is made by the member or the unit's head"
        )


class AlreadyNominated(RuleViolated):
    def __init__(self, nominee_id: str) -> None:
        super().__init__("nominated_once", f"{nominee_id} is already nominated in this round")


class NotANominee(RuleViolated):
    def __init__(self, nominee_id: str) -> None:
        super().__init__("nominee_of_round", f"{nominee_id} is not a nominee of this round")


class NotOnPreliminaryList(RuleViolated):
    def __init__(self, nominee_id: str) -> None:
        super().__init__("grant_from_preliminary_list", f"{nominee_id} is not on the office's preliminary list")


class WrongPhase(RuleViolated):
    def __init__(self, rule: str, round_id: str, status: str, needed: str) -> None:
        super().__init__(rule, f"award round {round_id} is {status}; this needs it {needed}")


class QuotaReached(RuleViolated):
    def __init__(self, quota: int) -> None:
        super().__init__("award_quota", f"the round's quota of {quota} is already granted")


class WrongEvaluationRound(RuleViolated):
    def __init__(self, evaluation_round_id: str) -> None:
        super().__init__(
            "results_of_attached_evaluation", f"evaluation {evaluation_round_id} is not this round's evaluation"
        )


class AwardNotFound(NotFound):
    def __init__(self, award_id: str) -> None:
        super().__init__(f"award {award_id} is not an award of this round")


class AwardRevokedAlready(RuleViolated):
    def __init__(self, award_id: str) -> None:
        super().__init__("award_in_force", f"award {award_id} was revoked")
