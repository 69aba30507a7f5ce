"use strict";
// The Pacesetter board: plain fetch over the read API, no build step. Chinese by default, English on request.
const T = {
  zh: { title: "创先争优排行榜", units: "单位排行", members: "党员干部排行", rank: "名次", unit: "单位", member: "姓名",
    points: "得分", movement: "升降", honours: "荣誉", gap: "距上一名", awards: "获奖名单", holders: "流动先锋旗现持有单位",
    progress: "承诺践诺进度", history: "审计记录", seq: "序号", time: "时间", event: "事件", actor: "操作人", hash: "链哈希",
    click_unit: "点击单位名称查看其审计记录", footer: "数据来自事件日志，可由审计链逐条验证", year: "全年", H1: "上半年",
    H2: "下半年", month: "月份", lang: "English", flag: "先锋旗", star: "模范星", none: "暂无", new: "新",
    revoked: "已撤销", nodata: "该时段暂无数据" },
  en: { title: "Pacesetter leaderboard", units: "Units", members: "Members", rank: "Rank", unit: "Unit", member: "Name",
    points: "Points", movement: "Move", honours: "Honours", gap: "Gap to next", awards: "Award winners",
    holders: "Rotating vanguard flag holders", progress: "Pledge progress", history: "Audit trail", seq: "Seq",
    time: "Time", event: "Event", actor: "By", hash: "Chain hash", click_unit: "Click a unit to see its audit trail",
    footer: "Read from the event log; every line can be verified against the audit hash chain", year: "Year",
    H1: "H1", H2: "H2", month: "Month", lang: "中文", flag: "Vanguard flag", star: "Model star", none: "none",
    new: "new", revoked: "revoked", nodata: "nothing in this period" },
};
const EVENTS_ZH = { PledgeMade: "作出承诺", PledgeSubmitted: "提交审核", PledgeApproved: "审核通过", PledgePublished: "公开承诺",
  ProgressReported: "报告进度", SelfCheckFiled: "践诺自查", FulfilmentAssessed: "兑现评估", LeaderReviewed: "领导点评",
  RectificationStated: "整改表态", ResultsPublished: "测评结果公布", AwardGranted: "授旗挂星", AwardRevoked: "撤销荣誉",
  NomineeNominated: "申报推荐", InspectionRecorded: "检查审核", UnitRegistered: "单位登记", BenchmarkPairNamed: "对标结对",
  GapReportFiled: "差距分析报告", ScoreAdjusted: "加减分", FlagHandedOver: "移交流动红旗", AwardsPublished: "公布获奖名单" };
const q = new URLSearchParams(location.search);
const S = { lang: q.get("lang") || "zh", campaign: q.get("campaign"), period: q.get("period"), names: {}, year: "" };
const $ = (id) => document.getElementById(id);
const t = (k) => T[S.lang][k] || k;
const esc = (s) => String(s ?? "").replace(/[&<>"]/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" })[c]);
const name = (kind, id) => S.names[`${kind}:${id}`] || id;
async function get(path) {
  const r = await fetch(path);
  if (!r.ok) throw new Error(`${path}: ${r.status}`);
  return r.json();
}
function periodLabel(p) {
  if (/^\d{4}$/.test(p)) return `${p} ${t("year")}`;
  const tail = p.slice(5);
  if (tail === "H1" || tail === "H2") return `${p.slice(0, 4)} ${t(tail)}`;
  return S.lang === "zh" && tail.startsWith("Q") ? `${p.slice(0, 4)}年第${tail[1]}季度` : p;
}
function halfOf(p) {
  if (/^\d{4}$/.test(p)) return null;
  const tail = p.slice(5);
  if (tail[0] === "H") return p;
  const month = tail[0] === "Q" ? Number(tail[1]) * 3 : Number(tail);
  return `${p.slice(0, 4)}-H${month <= 6 ? 1 : 2}`;
}
function lastMonth(p) {
  const y = p.slice(0, 4), tail = p.slice(5);
  const m = !tail ? 12 : tail[0] === "H" ? (tail === "H1" ? 6 : 12) : tail[0] === "Q" ? Number(tail[1]) * 3 : Number(tail);
  return `${y}-${String(m).padStart(2, "0")}`;
}
function move(m) {
  if (m === null || m === undefined) return `<span class="same">${t("new")}</span>`;
  if (m > 0) return `<span class="up">▲${m}</span>`;
  if (m < 0) return `<span class="down">▼${-m}</span>`;
  return `<span class="same">–</span>`;
}
function drawNav() {
  document.querySelectorAll("[data-t]").forEach((el) => { el.textContent = t(el.dataset.t); });
  document.documentElement.lang = S.lang === "zh" ? "zh-CN" : "en";
  $("lang").textContent = t("lang");
  const y = S.year, choices = [y, `${y}-H1`, `${y}-H2`, `${y}-Q1`, `${y}-Q2`, `${y}-Q3`, `${y}-Q4`];
  $("periods").innerHTML = choices.map((p) =>
    `<button type="button" data-period="${p}" class="${p === S.period ? "active" : ""}">${esc(periodLabel(p).replace(`${y} `, "").replace(`${y}年`, ""))}</button>`).join("");
  $("month").innerHTML = `<option value="">${t("month")}</option>` + Array.from({ length: 12 }, (_, i) => {
    const m = `${y}-${String(i + 1).padStart(2, "0")}`;
    return `<option value="${m}" ${m === S.period ? "selected" : ""}>${m}</option>`;
  }).join("");
  document.querySelectorAll(".period-label").forEach((el) => { el.textContent = periodLabel(S.period); });
}
async function drawBoards(awards) {
  const c = encodeURIComponent(S.campaign), p = encodeURIComponent(S.period);
  const [units, members] = await Promise.all([
    get(`/campaigns/${c}/leaderboard?kind=unit&period=${p}&limit=100`),
    get(`/campaigns/${c}/leaderboard?kind=member&period=${p}&limit=20`),
  ]);
  const half = halfOf(S.period);
  const honours = (id) => awards.filter((a) => a.winner_id === id && !a.revoked_at && (!half || a.period === half))
    .map((a) => a.category_id === "vanguard_flag" ? `<span class="flag" title="${t("flag")}">🚩${esc(a.period.slice(5))}</span>`
      : `<span class="star" title="${t("star")}">★${esc(a.period.slice(5))}</span>`).join(" ");
  $("units-rows").innerHTML = units.items.map((r) => `<tr class="${r.rank <= 3 && r.points > 0 ? "top" : ""}" data-unit="${esc(r.subject_id)}">
    <td class="num">${r.rank}</td><td><a class="unit" data-unit="${esc(r.subject_id)}">${esc(r.name || r.subject_id)}</a></td>
    <td class="num">${r.points.toFixed(1)}</td><td>${move(r.movement)}</td><td>${honours(r.subject_id)}</td>
    <td class="num">${r.gap_to_next === null ? "" : r.gap_to_next.toFixed(1)}</td></tr>`).join("");
  $("members-rows").innerHTML = members.items.map((r) => `<tr class="${r.rank <= 3 && r.points > 0 ? "top" : ""}">
    <td class="num">${r.rank}</td><td>${esc(r.name || r.subject_id)} ${honours(r.subject_id)}</td>
    <td>${esc(name("unit", r.unit_id))}</td><td class="num">${r.points.toFixed(1)}</td><td>${move(r.movement)}</td></tr>`).join("");
}
function drawAwards(awards, holders) {
  const shown = awards.filter((a) => !halfOf(S.period) || a.period === halfOf(S.period));
  const chip = (a) => `<span class="award ${a.revoked_at ? "revoked" : ""}" title="${a.revoked_at ? t("revoked") + "：" + esc(a.revoked_reason) : ""}">${
    a.category_id === "vanguard_flag" ? "🚩" : "★"} ${esc(name(a.winner_kind, a.winner_id))}</span>`;
  const groups = {};
  shown.forEach((a) => { (groups[`${a.period} ${a.category_name}`] ||= []).push(a); });
  $("award-list").innerHTML = Object.keys(groups).sort().map((k) => `<h3>${esc(k)}</h3>${groups[k].map(chip).join("")}`).join("")
    || `<p class="hint">${t("nodata")}</p>`;
  $("flag-holders").innerHTML = holders.map(chip).join("") || `<p class="hint">${t("none")}</p>`;
}
async function bulletin(month) {
  try { return await get(`/campaigns/${encodeURIComponent(S.campaign)}/bulletin?period=${month}`); } catch { return { units: [] }; }
}
async function drawProgress() {
  // as of the period's last month; if nothing was published by then, as of this month
  let month = lastMonth(S.period), b = await bulletin(month);
  const now = new Date(), current = `${now.getFullYear()}-${String(now.getMonth() + 1).padStart(2, "0")}`;
  if (!b.units.length && current.startsWith(S.year) && current !== month) { month = current; b = await bulletin(month); }
  $("progress-month").textContent = month;
  $("progress-bars").innerHTML = b.units.sort((x, y) => y.percent_complete - x.percent_complete).map((u) => `<div class="bar">
    <span>${esc(name("unit", u.unit_id))}</span><span class="track"><span class="fill" style="display:block;width:${Math.min(u.percent_complete, 100)}%"></span></span>
    <span class="num">${u.percent_complete.toFixed(0)}%</span></div>`).join("") || `<p class="hint">${t("nodata")}</p>`;
}
async function drawHistory(unit) {
  const rows = await get(`/board/campaigns/${encodeURIComponent(S.campaign)}/units/${encodeURIComponent(unit)}/history?limit=40`);
  $("history").hidden = false;
  $("history-unit").textContent = name("unit", unit);
  $("history-rows").innerHTML = rows.map((r) => `<tr><td class="num">${r.seq}</td><td>${esc(new Date(r.recorded_at).toLocaleString(S.lang === "zh" ? "zh-CN" : "en-GB"))}</td>
    <td>${esc(S.lang === "zh" ? EVENTS_ZH[r.type] || r.type : r.type)}</td><td>${esc(name("member", r.actor_id))}</td>
    <td><code>${esc(r.hash.slice(0, 12))}…</code></td></tr>`).join("");
  $("history").scrollIntoView({ behavior: "smooth" });
}
async function draw() {
  const url = new URL(location.href);
  url.searchParams.set("campaign", S.campaign); url.searchParams.set("period", S.period); url.searchParams.set("lang", S.lang);
  history.replaceState(null, "", url);
  drawNav();
  const c = encodeURIComponent(S.campaign);
  const [awards, holders] = await Promise.all([get(`/campaigns/${c}/awards?include_revoked=true`), get(`/campaigns/${c}/flags`)]);
  drawAwards(awards, holders);
  await Promise.all([drawBoards(awards), drawProgress()]);
  document.body.dataset.ready = S.period;
}
async function start() {
  const campaigns = await get("/board/campaigns");
  if (!campaigns.length) { $("units-rows").innerHTML = `<tr><td>${t("nodata")}</td></tr>`; return; }
  S.campaign ||= campaigns[0].campaign_id;
  const chosen = campaigns.find((x) => x.campaign_id === S.campaign) || campaigns[0];
  S.names = chosen.names;
  S.year = (S.period || chosen.campaign_id.match(/\d{4}/)?.[0] || String(new Date().getFullYear())).slice(0, 4);
  S.period ||= `${S.year}-H1`;
  $("campaign").innerHTML = campaigns.map((x) => `<option ${x.campaign_id === S.campaign ? "selected" : ""}>${esc(x.campaign_id)}</option>`).join("");
  $("campaign").onchange = (e) => { location.search = `?campaign=${encodeURIComponent(e.target.value)}&lang=${S.lang}`; };
  $("periods").onclick = (e) => { const p = e.target.dataset?.period; if (p) { S.period = p; draw(); } };
  $("month").onchange = (e) => { if (e.target.value) { S.period = e.target.value; draw(); } };
  $("lang").onclick = () => { S.lang = S.lang === "zh" ? "en" : "zh"; draw(); };
  $("units-rows").onclick = (e) => { const u = e.target.closest("[data-unit]")?.dataset.unit; if (u) drawHistory(u); };
  await draw();
}
start().catch((e) => { document.body.dataset.error = String(e); console.error(e); });
