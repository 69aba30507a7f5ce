"""Honour certificates (荣誉证书): a printable HTML page with a verifiable id. Pure; the read API serves it.

The certificate id is an HMAC of the award id (the AwardGranted event's id) under the service's
certificate key, so anyone holding the key can check that a printed id belongs to that award and
nobody without it can make up a valid one.
"""

from __future__ import annotations

import hashlib
import hmac
from datetime import date
from html import escape

from shared.events.awards import AwardGranted

ID_CHARS = 24


def certificate_id(award_id: str, key: bytes) -> str:
    """The id printed on the certificate of `award_id`: 24 hex digits, grouped in fours for reading aloud."""
    digest = hmac.new(key, award_id.encode(), hashlib.sha256).hexdigest()[:ID_CHARS].upper()
    return "-".join(digest[i : i + 4] for i in range(0, ID_CHARS, 4))


def verify(cert_id: str, award_id: str, key: bytes) -> bool:
    """True if `cert_id` (dashes and case ignored) was issued for `award_id` under `key`."""
    given = cert_id.replace("-", "").replace(" ", "").upper()
    return hmac.compare_digest(given, certificate_id(award_id, key).replace("-", ""))


def render_certificate(
    grant: AwardGranted, winner_name: str, organiser_name: str, issued_on: date, key: bytes, verify_url: str = ""
) -> str:
    """A self-contained, printable A4 page for one award."""
    cid = certificate_id(grant.award_id, key)
    e = escape
    check = f"<p class=verify>查验 Verify: {e(verify_url)}</p>" if verify_url else ""
    return f"""<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8"><title>荣誉证书 {e(winner_name)}</title>
<style>
@page {{ size: A4 landscape; margin: 18mm }}
body {{ font-family: "Noto Serif SC", "SimSun", serif; text-align: center; color: #8b0000 }}
.frame {{ border: 6px double #c8102e; padding: 40px 60px }}
h1 {{ font-size: 48px; letter-spacing: 16px; margin: 10px 0 30px }}
.body {{ font-size: 24px; color: #222; line-height: 2 }}
.award {{ font-size: 32px; font-weight: bold; color: #c8102e }}
.foot {{ margin-top: 40px; font-size: 18px; color: #222 }}
.id {{ font-family: monospace; font-size: 14px; color: #555 }}
</style></head><body><div class="frame">
<h1>荣誉证书</h1>
<p class="body"><strong>{e(winner_name)}</strong>：</p>
<p class="body">在{e(grant.period)}评选中，经{e(organiser_name)}审定，被授予</p>
<p class="award">“{e(grant.category_name)}”</p>
<p class="body">特发此证，以资鼓励。</p>
<p class="foot">{e(organiser_name)}<br>{issued_on.year}年{issued_on.month}月{issued_on.day}日</p>
<p class="id">证书编号 Certificate no. {cid} · award {e(grant.award_id)}</p>{check}
</div></body></html>
"""
