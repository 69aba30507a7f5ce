"""The campaigns context's named errors: each carries a stable code and, for a rule, the rule's name."""

from __future__ import annotations

from datetime import date

from shared.errors import NotFound, RuleViolated


class CampaignNotFound(NotFound):
    def __init__(self, campaign_id: str) -> None:
        super().__init__(f"campaign {campaign_id} has not been launched")


class UnknownUnit(NotFound):
    def __init__(self, unit_id: str) -> None:
        super().__init__(f"unit {unit_id} is not in the campaign's tree")


class UnknownMember(NotFound):
    def __init__(self, member_id: str) -> None:
        super().__init__(f"member {member_id} is not enrolled in the campaign")


class UnknownVoterGroup(NotFound):
    def __init__(self, group: str) -> None:
        super().__init__(f"voter group {group} is not one of the campaign's voter groups")


class DuplicateId(RuleViolated):
    """An id that must be new (a campaign, a unit, a report) or unique in a list appears again."""

    def __init__(self, what: str, key: str) -> None:
        super().__init__("ids_unique", f"{what} {key} already exists")


class DateOutsideCampaignYear(RuleViolated):
    def __init__(self, what: str, day: date, year: int) -> None:
        super().__init__("dates_within_campaign_year", f"{what} {day.isoformat()} is outside the campaign year {year}")


class NegativeQuota(RuleViolated):
    def __init__(self, category_id: str, quota: int) -> None:
        super().__init__("quota_not_negative", f"award category {category_id} has quota {quota}; it must be 0 or more")


class GradesNotDescending(RuleViolated):
    def __init__(self, scale_id: str) -> None:
        super().__init__(
            "grade_thresholds_descending", f"scale {scale_id}: grade thresholds must go strictly from high to low"
        )


class VoterWeightsNotOne(RuleViolated):
    def __init__(self, total: float) -> None:
        super().__init__("voter_weights_sum_to_one", f"voter group weights add up to {total:g}, not 1")


class AmendmentOutOfOrder(RuleViolated):
    def __init__(self, effective_on: date, latest: date) -> None:
        super().__init__(
            "amendments_in_order",
            f"an amendment effective {effective_on.isoformat()} comes before the one effective {latest.isoformat()}",
        )


class UnitCycle(RuleViolated):
    def __init__(self, unit_id: str, parent_id: str) -> None:
        super().__init__("unit_tree_acyclic", f"unit {unit_id} cannot go under {parent_id}: that would close a cycle")


class OrganiserIsRoot(RuleViolated):
    def __init__(self, unit_id: str) -> None:
        super().__init__("organiser_is_root", f"{unit_id} is the organiser, the root of the tree; it cannot be moved")


class BenchmarkSelf(RuleViolated):
    def __init__(self, unit_id: str) -> None:
        super().__init__("benchmark_is_another_unit", f"unit {unit_id} cannot be its own benchmark")


class NoBenchmarkPair(RuleViolated):
    def __init__(self, unit_id: str) -> None:
        super().__init__("gap_report_needs_pair", f"unit {unit_id} has not named a benchmark pair yet")


class MemberInAnotherUnit(RuleViolated):
    def __init__(self, member_id: str, unit_id: str) -> None:
        super().__init__(
            "member_in_one_unit", f"member {member_id} is already in unit {unit_id}; transfer them instead"
        )


class RoleNotGrantable(RuleViolated):
    def __init__(self, message: str) -> None:
        super().__init__("grantable_roles", message)
