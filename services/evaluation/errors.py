"""The evaluation context's domain errors: each names the rule it enforces (the reply's `rule`)."""

from __future__ import annotations

from shared.errors import NotFound, RuleViolated


class RoundNotFound(NotFound):
    def __init__(self, round_id: str) -> None:
        super().__init__(f"evaluation round {round_id} is not defined")


class RoundAlreadyDefined(RuleViolated):
    def __init__(self, round_id: str) -> None:
        super().__init__("round_id_unique", f"evaluation round {round_id} already exists")


class WeightsDoNotSumToOne(RuleViolated):
    def __init__(self, total: float) -> None:
        super().__init__("weights_sum_to_one", f"voter group weights sum to {total:g}, not 1")


class WindowInverted(RuleViolated):
    def __init__(self) -> None:
        super().__init__("window_opens_before_it_closes", "the voting window must open before it closes")


class DuplicateInRound(RuleViolated):
    def __init__(self, what: str, value: str) -> None:
        super().__init__("round_entries_unique", f"{what} {value!r} appears twice")


class VoterInTwoGroups(RuleViolated):
    def __init__(self, voter_id: str) -> None:
        super().__init__("voter_in_one_group", f"{voter_id} is in more than one voter group")


class RoundNotOpen(RuleViolated):
    def __init__(self, round_id: str, status: str) -> None:
        super().__init__("round_open", f"evaluation round {round_id} is {status}, not open")


class RoundAlreadyClosed(RuleViolated):
    def __init__(self, round_id: str) -> None:
        super().__init__("round_open", f"evaluation round {round_id} is closed")


class ClosedBeforeBallotStored(RuleViolated):
    """The ballot was decided while the round was open but reached the log after its RoundClosed: not counted."""

    def __init__(self, round_id: str) -> None:
        super().__init__(
            "round_open",
            f"evaluation round {round_id} closed before this ballot was stored: it is not counted",
        )


class OutsideWindow(RuleViolated):
    def __init__(self, round_id: str) -> None:
        super().__init__("ballot_within_window", f"evaluation round {round_id} takes no ballots at this time")


class VoterNotInRound(RuleViolated):
    def __init__(self, round_id: str) -> None:
        super().__init__("voter_in_round", f"the voter is in none of round {round_id}'s voter groups")


class BallotAlreadyCast(RuleViolated):
    def __init__(self, round_id: str) -> None:
        super().__init__("one_ballot_per_voter", f"this voter has already cast a ballot in round {round_id}")


class RoundKeyChanged(RuleViolated):
    def __init__(self, round_id: str) -> None:
        super().__init__(
            "round_key_unchanged",
            f"this service's ballot secret is not the one round {round_id} was opened with; check BALLOT_SECRET",
        )


class UnknownGroup(RuleViolated):
    def __init__(self, group: str) -> None:
        super().__init__("group_in_round", f"voter group {group!r} is not in the round")


class UnknownSubject(RuleViolated):
    def __init__(self, subject_id: str) -> None:
        super().__init__("subject_in_round", f"subject {subject_id} is not evaluated in this round")


class UnknownCriterion(RuleViolated):
    def __init__(self, criterion: str) -> None:
        super().__init__("criterion_in_round", f"criterion {criterion!r} is not in this round")


class RatingOffScale(RuleViolated):
    def __init__(self, level: str) -> None:
        super().__init__("rating_on_scale", f"rating {level!r} is not on the round's scale")


class DuplicateRating(RuleViolated):
    def __init__(self, subject_id: str, criterion: str) -> None:
        super().__init__("one_rating_per_subject_and_criterion", f"{subject_id} is rated twice on {criterion!r}")


class BoxAlreadyCounted(RuleViolated):
    def __init__(self, box_id: str) -> None:
        super().__init__("box_counted_once", f"ballot box {box_id} was already counted")


class BoxSubtotalMismatch(RuleViolated):
    def __init__(self, box_id: str, subtotal: int, entered: int) -> None:
        super().__init__(
            "box_subtotal_matches", f"ballot box {box_id}: subtotal {subtotal} but {entered} ballots were entered"
        )


class ResultsBeforeClose(RuleViolated):
    def __init__(self, round_id: str) -> None:
        super().__init__("results_after_close", f"round {round_id} has no results until it is closed")


class ReviewOutOfOrder(RuleViolated):
    def __init__(self, expected: int, got: int) -> None:
        super().__init__("reviews_in_order", f"the next leader review is no. {expected}, not {got}")


class RectificationCheckMissing(RuleViolated):
    def __init__(self, review_no: int) -> None:
        super().__init__(
            "review_checks_rectification",
            f"review no. {review_no} must record whether the previous review's rectification was done",
        )


class NothingToRectify(RuleViolated):
    def __init__(self, review_no: int) -> None:
        super().__init__("rectification_on_request", f"review no. {review_no} asked for no rectification")


class RectificationAlreadyStated(RuleViolated):
    def __init__(self, review_no: int) -> None:
        super().__init__("rectification_stated_once", f"review no. {review_no}'s rectification is already stated")


class ReviewNotFound(NotFound):
    def __init__(self, party_id: str, review_no: int) -> None:
        super().__init__(f"{party_id} has no leader review no. {review_no} in this campaign")


class MissingRoundSecret(RuleViolated):
    def __init__(self, round_id: str) -> None:
        super().__init__("secret_round_keyed", f"secret round {round_id} needs its round secret to conceal its roll")
