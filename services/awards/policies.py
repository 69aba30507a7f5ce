"""The evaluation-results policy: published results of a round's nominee evaluation are recorded on it.

Pure: `react(event, state)` gives the commands an event calls for, `evolve(state, event)` what the policy
remembers. The results may be published before or after the office attaches the evaluation to the award
round; either order yields one `RecordNomineeEvaluation` with a command id derived from the pair, so a
replayed reaction is answered as a duplicate, never applied twice.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from services.awards.commands import RecordNomineeEvaluation
from shared.commands import Command
from shared.events import Actor, Event, Role
from shared.events.awards import EvaluationAttached, NomineeResult
from shared.events.evaluation import ResultsPublished
from shared.ids import event_id_for

POLICY_ACTOR = Actor(member_id="awards-results-policy", role=Role.system)
TYPES = frozenset({"EvaluationAttached", "ResultsPublished"})
"""The event types the policy reads; the runner decodes nothing else."""


@dataclass(frozen=True, slots=True)
class PolicyState:
    """Award rounds by the evaluation round attached to them, and the results published so far."""

    attached: dict[str, frozenset[str]] = field(default_factory=dict)
    results: dict[str, tuple[NomineeResult, ...]] = field(default_factory=dict)


def react(event: Event, state: PolicyState) -> list[Command]:
    match event:
        case ResultsPublished():
            results = _results(event)
            return [_record(a, event.round_id, results) for a in sorted(state.attached.get(event.round_id, ()))]
        case EvaluationAttached() if event.evaluation_round_id in state.results:
            return [_record(event.round_id, event.evaluation_round_id, state.results[event.evaluation_round_id])]
    return []


def evolve(state: PolicyState, event: Event) -> PolicyState:
    match event:
        case ResultsPublished():
            return replace(state, results={**state.results, event.round_id: _results(event)})
        case EvaluationAttached():
            rounds = state.attached.get(event.evaluation_round_id, frozenset()) | {event.round_id}
            return replace(state, attached={**state.attached, event.evaluation_round_id: rounds})
    return state


def _results(event: ResultsPublished) -> tuple[NomineeResult, ...]:
    return tuple(NomineeResult(nominee_id=s.subject.id, overall=s.overall, grade=s.grade) for s in event.tally.subjects)


def _record(award_round_id: str, evaluation_round_id: str, results: tuple[NomineeResult, ...]) -> Command:
    return RecordNomineeEvaluation(
        command_id=event_id_for(f"nominee-results/{award_round_id}/{evaluation_round_id}", 0),
        actor=POLICY_ACTOR,
        round_id=award_round_id,
        evaluation_round_id=evaluation_round_id,
        results=results,
    )
