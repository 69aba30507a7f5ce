"""What the stack is made of: every command and the context that handles it, and the processes `up` starts."""

from __future__ import annotations

from shared.runtime.supervisor import ServiceSpec

PLEDGE_COMMANDS = (
    "MakePledge",
    "RevisePledge",
    "SubmitPledge",
    "ReturnPledge",
    "ApprovePledge",
    "WithdrawPledge",
    "ReportProgress",
    "FileSelfCheck",
    "AssessFulfilment",
)
CAMPAIGN_COMMANDS = (
    "LaunchCampaign",
    "AmendCampaignRules",
    "RegisterUnit",
    "MoveUnit",
    "NameBenchmarkPair",
    "FileGapReport",
    "EnrolMember",
    "TransferMember",
    "RemoveMember",
    "GrantRole",
    "RevokeRole",
)
EVALUATION_COMMANDS = (
    "DefineRound",
    "OpenRound",
    "CastBallot",
    "CountBallotBox",
    "CloseRound",
    "PublishResults",
    "RecordLeaderReview",
    "StateRectification",
)

AWARD_COMMANDS = (
    "OpenAwardRound",
    "Nominate",
    "WithdrawNomination",
    "CloseNominations",
    "AttachEvaluation",
    "RecordNomineeEvaluation",
    "RecordInspection",
    "ProposePreliminaryList",
    "GrantAward",
    "PublishAwards",
    "RevokeAward",
    "RecommendUpward",
)

# Command name → context; a command is sent on ps.cmd.<context>.<organisation>.<CommandName>.
COMMANDS: dict[str, str] = {
    **dict.fromkeys(PLEDGE_COMMANDS, "pledges"),
    **dict.fromkeys(CAMPAIGN_COMMANDS, "campaigns"),
    **dict.fromkeys(EVALUATION_COMMANDS, "evaluation"),
    **dict.fromkeys(AWARD_COMMANDS, "awards"),
}

# One line per service process; `up` starts them in this order, each as `python -m <module>`.
SERVICES: tuple[ServiceSpec, ...] = (
    ServiceSpec("campaigns", "services.campaigns"),
    ServiceSpec("pledges", "services.pledges"),
    ServiceSpec("evaluation", "services.evaluation"),
    ServiceSpec("awards", "services.awards"),
    ServiceSpec("projections", "services.projections"),
)


class UnknownCommand(LookupError):
    """The command name is not in the catalog; the message lists the known ones."""

    def __init__(self, name: str) -> None:
        super().__init__(f"unknown command {name!r}; known commands: {', '.join(sorted(COMMANDS))}")
        self.name = name


def context_of(command_name: str) -> str:
    """The context that handles `command_name`; raises UnknownCommand."""
    try:
        return COMMANDS[command_name]
    except KeyError:
        raise UnknownCommand(command_name) from None


def services_named(names: list[str] | None) -> tuple[ServiceSpec, ...]:
    """The services called `names` (all when None or empty); raises LookupError listing the known ones."""
    if not names:
        return SERVICES
    known = {s.name: s for s in SERVICES}
    unknown = [n for n in names if n not in known]
    if unknown:
        raise LookupError(f"unknown service(s) {', '.join(unknown)}; known services: {', '.join(known)}")
    return tuple(s for s in SERVICES if s.name in names)
