"""The demo's people: the bureau's 12 units (股室, 党支部, 党小组) and 72 members, with deterministic Chinese names."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from shared.events import Actor, Role

CAMPAIGN = "c-demo-2026"
YEAR = 2026
ORGANISER = "u-party-committee"
_NS = uuid.UUID("5b0c3a9e-2f61-4f0e-9a57-8c1d2e3f4a5b")

UNITS: tuple[tuple[str, str, str, str], ...] = (
    ("u-bangongshi", "办公室", ORGANISER, "股室"),
    ("u-renshi", "人事股", ORGANISER, "股室"),
    ("u-caiwu", "财务股", ORGANISER, "股室"),
    ("u-gongye", "工业运行股", ORGANISER, "股室"),
    ("u-xinxihua", "信息化股", ORGANISER, "股室"),
    ("u-jieneng", "节能监察股", ORGANISER, "股室"),
    ("u-xiangmu", "项目推进股", ORGANISER, "股室"),
    ("u-fagui", "政策法规股", ORGANISER, "股室"),
    ("u-zhongxiao", "中小企业股", ORGANISER, "股室"),
    ("u-jiguan-dzb", "机关党支部", ORGANISER, "党支部"),
    ("u-dangxiaozu-1", "机关第一党小组", "u-jiguan-dzb", "党小组"),
    ("u-dangxiaozu-2", "机关第二党小组", "u-jiguan-dzb", "党小组"),
)
UNIT_NAMES = {u[0]: u[1] for u in UNITS}
UNIT_IDS = tuple(u[0] for u in UNITS)
PER_UNIT = 6

_SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程"
_GIVEN = (
    "伟", "芳", "娜", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰", "娟", "涛", "明", "超", "秀英",
    "霞", "平", "刚", "桂英", "建华", "志强", "海燕", "晓东", "文博", "思远", "雪梅", "国庆", "红梅", "立新",
)  # fmt: skip

OFFICE = Actor(member_id="m-office-zhang", role=Role.office, unit_id=ORGANISER)
COMMITTEE = Actor(member_id="m-secretary-wang", role=Role.committee, unit_id=ORGANISER)
LEADERS = ("m-secretary-wang", "m-deputy-li", "m-office-zhang")
SERVICE_USERS = tuple(f"m-svc-{i:02d}" for i in range(1, 7))


@dataclass(frozen=True, slots=True)
class Person:
    member_id: str
    name: str
    unit_id: str
    head: bool

    @property
    def actor(self) -> Actor:
        return Actor(member_id=self.member_id, role=Role.unit_head if self.head else Role.member, unit_id=self.unit_id)


def _name(i: int) -> str:
    return _SURNAMES[(i * 7) % len(_SURNAMES)] + _GIVEN[(i * 11 + i // len(_GIVEN)) % len(_GIVEN)]


def members() -> list[Person]:
    """Six per unit; the first of each unit is its head (负责人)."""
    people: list[Person] = []
    for u, unit_id in enumerate(UNIT_IDS):
        for k in range(PER_UNIT):
            i = u * PER_UNIT + k
            people.append(Person(f"m-{i + 1:03d}", _name(i), unit_id, head=k == 0))
    return people


def head_of(unit_id: str) -> Person:
    return next(p for p in members() if p.unit_id == unit_id and p.head)


def demo_id(key: str) -> str:
    """A command (or round) id derived from the step it belongs to: the same on every run of the demo."""
    return str(uuid.uuid5(_NS, f"{CAMPAIGN}/{key}"))
