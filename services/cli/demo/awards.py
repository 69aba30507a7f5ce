"""Demo awards: a half-year's flag and star rounds from nominations to publication; a revocation."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from services.awards.commands import (
    AttachEvaluation,
    CloseNominations,
    GrantAward,
    Nominate,
    OpenAwardRound,
    ProposePreliminaryList,
    PublishAwards,
    RecommendUpward,
    RecordInspection,
    RevokeAward,
    round_id_of,
)
from services.awards.decision import award_id_of
from services.cli.demo.evaluation import ballot_round
from services.cli.demo.roster import (
    CAMPAIGN,
    COMMITTEE,
    LEADERS,
    OFFICE,
    SERVICE_USERS,
    UNIT_IDS,
    UNIT_NAMES,
    YEAR,
    demo_id,
    head_of,
    members,
)
from services.cli.demo.steps import Step, cmd, each
from shared.events.awards import Route
from shared.events.evaluation import Party, RoundKind

FLAG_NOMINEES = {"H1": (3, 6, 0, 8, 4, 7, 9), "H2": (3, 4, 9, 1, 6, 5, 10)}  # indices into UNIT_IDS, winners first
STAR_NOMINEES = {"H1": tuple(range(1, 70, 5)), "H2": tuple(range(3, 72, 5))}  # 14 each, indices into members()
REVOKED_STAR = ("H1", 2)  # the third H1 star is revoked after review (动态管理)


def flags_round(half: str) -> str:
    return round_id_of(CAMPAIGN, "vanguard_flag", f"{YEAR}-{half}")


def stars_round(half: str) -> str:
    return round_id_of(CAMPAIGN, "model_star", f"{YEAR}-{half}")


def grant_key(half: str, category: str, nominee: str) -> str:
    return f"award/{half}/{category}/grant/{nominee}"


def half_year(half: str) -> list[Step]:
    flags, stars, key = flags_round(half), stars_round(half), f"award/{half}"
    units = [UNIT_IDS[i] for i in FLAG_NOMINEES[half]]
    people = [members()[i] for i in STAR_NOMINEES[half]]
    close_at = datetime.now(UTC) + timedelta(hours=2)
    opening = [
        cmd("awards", OpenAwardRound, f"{key}/flags/open", OFFICE, campaign_id=CAMPAIGN, category_id="vanguard_flag",
            period=f"{YEAR}-{half}", nominations_close_at=close_at, rotating=True),
        cmd("awards", OpenAwardRound, f"{key}/stars/open", OFFICE, campaign_id=CAMPAIGN, category_id="model_star",
            period=f"{YEAR}-{half}", nominations_close_at=close_at),
    ]  # fmt: skip
    deeds = "带头落实赶超措施，承诺事项按月推进，服务企业群众满意度高。"
    nominations = [
        cmd("awards", Nominate, f"{key}/flags/nominate/{u}", head_of(u).actor, round_id=flags, kind="unit",
            nominee_id=u, route=Route.self_application, deeds=f"{UNIT_NAMES[u]}{deeds}")
        for u in units
    ] + [
        cmd("awards", Nominate, f"{key}/stars/nominate/{p.member_id}", OFFICE, round_id=stars, kind="member",
            nominee_id=p.member_id, route=Route.recommendation, deeds=f"{p.name}同志{deeds}")
        for p in people
    ]  # fmt: skip
    closing = [cmd("awards", CloseNominations, f"{key}/{c}/close", OFFICE, round_id=r)
               for c, r in (("flags", flags), ("stars", stars))]  # fmt: skip
    subjects = [Party(kind="unit", id=u) for u in units] + [Party(kind="member", id=p.member_id) for p in people]
    levels = {s.id: ["优秀"] if n < 4 or 7 <= n < 15 else ["合格", "优秀", "基本合格"] for n, s in enumerate(subjects)}
    voters = {
        "leaders": LEADERS,
        "members": tuple(p.member_id for p in members()[::8]),
        "service_users": SERVICE_USERS[:3],
    }
    title = f"{YEAR}年{'上' if half == 'H1' else '下'}半年夺旗争星民主测评"
    evaluation = ballot_round(
        f"{key}/evaluation", title, RoundKind.democratic, subjects, ("群众满意度",), levels, voters
    )
    eval_id = demo_id(f"round/{key}/evaluation")
    attach = [cmd("awards", AttachEvaluation, f"{key}/{c}/attach", OFFICE, round_id=r, evaluation_round_id=eval_id)
              for c, r in (("flags", flags), ("stars", stars))]  # fmt: skip
    inspections = [
        cmd(
            "awards",
            RecordInspection,
            f"{key}/{c}/inspect/{n}",
            OFFICE,
            round_id=r,
            nominee_id=n,
            findings="台账齐全，事迹属实",
        )
        for c, r, ns in (("flags", flags, units), ("stars", stars, [p.member_id for p in people]))
        for n in ns
    ]
    listing = [
        cmd("awards", ProposePreliminaryList, f"{key}/flags/list", OFFICE, round_id=flags, nominees=tuple(units)),
        cmd("awards", ProposePreliminaryList, f"{key}/stars/list", OFFICE, round_id=stars,
            nominees=tuple(p.member_id for p in people)),
    ]  # fmt: skip
    grants = [
        [
            cmd("awards", GrantAward, grant_key(half, "flags", u), COMMITTEE, round_id=flags, nominee_id=u)
            for u in units[:4]
        ],
        [
            cmd(
                "awards",
                GrantAward,
                grant_key(half, "stars", p.member_id),
                COMMITTEE,
                round_id=stars,
                nominee_id=p.member_id,
            )
            for p in people[:8]
        ],
    ]
    publish = [cmd("awards", PublishAwards, f"{key}/{c}/publish", COMMITTEE, round_id=r)
               for c, r in (("flags", flags), ("stars", stars))]  # fmt: skip
    label = f"{half} 评选 awards"
    return [
        Step(f"{label}: open", each(opening)),
        Step(f"{label}: nominations", each(nominations)),
        Step(f"{label}: close", each(closing)),
        *evaluation,
        Step(f"{label}: attach evaluation", each(attach), await_evaluated=(flags, stars)),
        Step(f"{label}: inspection", each(inspections)),
        Step(f"{label}: preliminary list", each(listing)),
        Step(f"{label}: committee decision", grants),
        Step(f"{label}: publication", each(publish)),
    ]


def revocation() -> Step:
    half, n = REVOKED_STAR
    star = members()[STAR_NOMINEES[half][n]].member_id
    award_id = award_id_of(stars_round(half), demo_id(grant_key(half, "stars", star)))
    first_flag = award_id_of(flags_round("H1"), demo_id(grant_key("H1", "flags", UNIT_IDS[FLAG_NOMINEES["H1"][0]])))
    return Step("动态管理 revocation", [[
        cmd("awards", RevokeAward, "award/revoke", COMMITTEE, round_id=stars_round(half), award_id=award_id,
            reason="经复查，事迹材料与实际不符"),
        cmd("awards", RecommendUpward, "award/upward", COMMITTEE, round_id=flags_round("H1"), award_id=first_flag,
            to_organisation="市工信局"),
    ]])  # fmt: skip
