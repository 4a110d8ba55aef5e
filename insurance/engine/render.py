"""Plain-words rendering of a plan (Chinese first, English too), reused by disclosure reports."""

from __future__ import annotations

from decimal import Decimal

from .facts import NET_OF_FUNDS_FIELDS
from .plan import Eligibility, Line, Override, Plan

__all__ = ["FIELD_LABELS", "render_eligibility", "render_line", "render_plan"]

# amount field -> (Chinese, English)
FIELD_LABELS: dict[str, tuple[str, str]] = {
    "medfee_sumamt": ("医疗费用总额", "total medical cost"),
    "fulamt_ownpay_amt": ("目录外全自费费用", "out-of-catalogue self-paid costs"),
    "overlmt_selfpay": ("超限价自付费用", "costs above price limits"),
    "preselfpay_amt": ("先行自付费用", "pre-paid self share"),
    "inscp_scp_amt": ("政策范围内费用", "in-policy costs"),
    "act_pay_dedc": ("实际支付起付线", "basic deductible paid"),
    "hifp_pay": ("统筹基金支付", "pooled fund payment"),
    "cvlserv_pay": ("公务员医疗补助支付", "civil-servant subsidy payment"),
    "hifes_pay": ("企业补充医疗保险支付", "enterprise supplementary payment"),
    "hifmi_pay": ("居民大病保险支付", "resident critical illness payment"),
    "hifob_pay": ("职工大额医疗费用补助支付", "employee large-amount fund payment"),
    "maf_pay": ("医疗救助支付", "medical assistance payment"),
    "oth_pay": ("其他支付", "other payments"),
    "fund_pay_sumamt": ("基金支付总额", "total fund payments"),
    "psn_part_amt": ("个人负担费用", "the patient's own burden"),
    "excl_item_amt": ("除外项目费用", "excluded items"),
    "inscp_over_max_amt": (
        "超过统筹基金（含大额）年度最高支付限额的政策范围内费用",
        "in-policy costs above the pooled fund's (and large-amount fund's) annual maximum",
    ),
    "special_drug_amt": (
        "特殊药品、耗材及精准诊疗项目费用",
        "special drugs/consumables/precision care",
    ),
    "ooc_cancer_drug_amt": (
        "治疗恶性肿瘤必需且无可替代的目录外药品费用",
        "necessary out-of-catalogue cancer drugs",
    ),
    "ooc_cancer_drug_reimbursed": ("上述药品已获报销金额", "what was already reimbursed on them"),
}
_MED = {"21": ("住院", "inpatient"), "14": ("门诊慢特病", "outpatient chronic/special disease"),
        "11": ("普通门诊", "general outpatient")}  # fmt: skip
_SCOPE = {
    "settlement": ("每次结算", "per settlement"),
    "admission": ("单次住院", "per admission"),
    "calendar_year": ("一个自然年度内累计", "accumulated over the calendar year"),
    "policy_year": ("一个保单年度内累计", "accumulated over the policy year"),
}
_CATEGORY = {"dialysis": ("血液透析", "dialysis"), "radiotherapy": ("放疗", "radiotherapy"),
             "chemotherapy": ("化疗", "chemotherapy")}  # fmt: skip
_STATUS = {"dibao": ("低保对象", "dibao"), "dibao_edge": ("低保边缘家庭", "near-dibao"),
           "tekun": ("特困人员", "tekun"), "youfu": ("优抚对象", "entitled veterans"),
           "fanpin": ("返贫致贫人口", "relapsed into poverty")}  # fmt: skip


def _pct(rate: Decimal) -> str:
    return format((rate * 100).normalize(), "f") + "%"


def _money(amount: Decimal) -> str:
    text = format(amount.normalize(), ",f")
    return text


def _label(name: str, zh: bool) -> str:
    pair = FIELD_LABELS.get(name, (name, name))
    return pair[0] if zh else pair[1]


def render_line(*, plan: Plan, line: Line, lang: str = "zh") -> str:
    zh = lang == "zh"
    sep = "、" if zh else ", "
    med = sep.join(
        _MED.get(m, (m, m))[0 if zh else 1] for m in sorted(line.med_types, reverse=True)
    )
    base = sep.join(_label(f, zh) for f in line.base.fields)
    if NET_OF_FUNDS_FIELDS.intersection(line.base.fields):
        base += "（本方案支付前）" if zh else " (before this scheme's own payment)"
    text = f"{med}{base}" if zh or not med else f"{base} ({med})"
    excluded = [e.label_zh if zh else e.label_en for e in line.base.exclude]
    excluded = [x for x in excluded if x] or [_label(e.field, zh) for e in line.base.exclude]
    minus = [
        plan.line(x).name if zh else (plan.line(x).name_en or x) for x in line.base.minus_lines
    ]
    if excluded:
        text += f"（不含{sep.join(excluded)}）" if zh else f", excluding {sep.join(excluded)}"
    if minus:
        text += (
            f"，扣除{sep.join(minus)}已支付部分"
            if zh
            else f", less what {' and '.join(minus)} paid"
        )
    if line.kind == "top_up" and line.top_up is not None:
        target = _pct(line.top_up.target_rate)
        text += f"补足至{target}" if zh else f": topped up to {target}"
        reimb = [_label(f, zh) for f in line.top_up.reimbursed_fields]
        reimb += [plan.line(x).name if zh else x for x in line.top_up.reimbursed_lines]
        if reimb:
            text += (
                f"（按{target}计算后扣除{sep.join(reimb)}，不低于0）"
                if zh
                else f" (minus {sep.join(reimb)}, never below 0)"
            )
    else:
        if zh and minus and line.deductible is not None:
            text += "，"
        text += _render_accumulation_and_tiers(line, zh)
    text += _render_cap(line.cap, zh, plan_level=False)
    if line.personal_quota:
        text += (
            "（个人限额，离职时未使用的余额转入公共账户）"
            if zh
            else " (a personal quota: on leaving, the unused part goes to the common pool)"
        )
    for override in plan.overrides:
        if not override.lines or line.id in override.lines:
            text += _render_override(override, zh)
    return text + ("。" if zh else ".")


def _render_accumulation_and_tiers(line: Line, zh: bool) -> str:
    acc = line.accumulation
    sep = "、" if zh else ", "
    d = line.deductible
    text = ""
    if d is not None:
        scope = _SCOPE[acc.scope][0 if zh else 1]
        if d.amount is not None:
            threshold = f"{_money(d.amount * d.factor)}元" if zh else f"CNY {_money(d.amount)}"
        else:
            ref = d.reference if d.reference_rural is None else f"{d.reference}/{d.reference_rural}"
            factor = "" if d.factor == 1 else (f"的{_pct(d.factor)}" if zh else f" × {d.factor}")
            threshold = f"上年度参考值（{ref}）{factor}" if zh else f"last year's {ref}{factor}"
        text += f"{scope}超过{threshold}的部分" if zh else f", {scope}, the part above {threshold}"
    if acc.by_category:
        cats = sep.join(_CATEGORY[c][0 if zh else 1] for c, _ in acc.by_category)
        scopes = {s for _, s in acc.by_category}
        scope = sep.join(_SCOPE[s][0 if zh else 1] for s in sorted(scopes))
        text += f"（{cats}{scope}）" if zh else f" ({cats}: {scope})"
    tiers = line.tiers
    if len(tiers) == 1:
        text += f"，按{_pct(tiers[0].rate)}补偿" if zh else f", paid at {_pct(tiers[0].rate)}"
    else:
        parts = []
        for i, tier in enumerate(tiers):
            hi = tiers[i + 1].start if i + 1 < len(tiers) else None
            lo = _money(tier.start)
            if zh:
                band = f"{lo}元以上" if hi is None else f"{lo}–{_money(hi)}元"
                parts.append(f"{band}按{_pct(tier.rate)}")
            else:
                band = f"above {lo}" if hi is None else f"{lo}-{_money(hi)}"
                parts.append(f"{band} at {_pct(tier.rate)}")
        basis = "" if line.tier_basis == "absolute" else ("（超过起付线的金额）" if zh else "")
        text += (
            f"，分段补偿{basis}：" + "，".join(parts) if zh else ", in bands: " + "; ".join(parts)
        )
    return text


def _render_cap(cap: Decimal | None, zh: bool, *, plan_level: bool) -> str:
    if cap is None:
        return "" if plan_level else ("，不设封顶线" if zh else ", no cap")
    if zh:
        return f"，每人每年最高支付{_money(cap)}元"
    return f", at most CNY {_money(cap)} per person per year"


def _render_override(o: Override, zh: bool) -> str:
    sep = "、" if zh else ", "
    who = [_STATUS[s][0 if zh else 1] for s in sorted(o.statuses)]
    if o.cvlserv:
        who.append("享受公务员医疗补助的人员" if zh else "civil-servant-subsidy recipients")
    effects: list[str] = []
    if o.exclude:
        effects.append("不适用本项" if zh else "this line does not apply")
    if o.waive_deductible:
        effects.append("不设起付线" if zh else "no deductible")
    if o.deductible_factor is not None:
        effects.append(
            f"起付线按{_pct(o.deductible_factor)}计"
            if zh
            else f"deductible × {o.deductible_factor}"
        )
    if o.deductible_amount is not None:
        effects.append(
            f"起付线为{_money(o.deductible_amount)}元"
            if zh
            else f"deductible CNY {_money(o.deductible_amount)}"
        )
    if o.rate_add:
        points = _money(o.rate_add * 100)
        effects.append(f"支付比例提高{points}个百分点" if zh else f"rate + {points} points")
    if o.no_cap:
        effects.append("不设封顶线" if zh else "no cap")
    if zh:
        return f"；{sep.join(who)}{'，'.join(effects)}"
    return f"; {sep.join(who)}: {', '.join(effects)}"


def render_eligibility(*, eligibility: Eligibility, lang: str = "zh") -> list[str]:
    """The waiting period and the service condition in plain words (notices reuse them)."""
    zh = lang == "zh"
    out = []
    days = eligibility.waiting_days
    if days and eligibility.waiting_from == "basic_insurance":
        out.append(
            f"初次参加或中断后再次参加基本医疗保险的，自参保之日起设{days}天待遇等待期"
            if zh
            else f"People who join basic insurance for the first time or after a break wait "
            f"{days} days from joining"
        )
    elif days:
        out.append(
            f"初次参保或中断后再参保的，设{days}天待遇等待期"
            if zh
            else f"First-time or re-enrolled people wait {days} days"
        )
    years = eligibility.service_years
    if years:
        out.append(
            f"须在本单位工作满{years}年（退休、退职人员除外）"
            if zh
            else f"Covered after {years} year(s) of service with the employer (retirees exempt)"
        )
    return out


def render_plan(*, plan: Plan, lang: str = "zh", use_plain_words: bool = True) -> str:
    """The plan in plain words: the plan's own `plain_words` if given, else generated."""
    zh = lang == "zh"
    own = plan.plain_words_zh if zh else plan.plain_words_en
    if use_plain_words and own:
        return own
    name = plan.name if zh else (plan.name_en or plan.name)
    out = [
        f"{name}（{plan.code} 第{plan.version}版）"
        if zh
        else f"{name} ({plan.code} v{plan.version})"
    ]
    for i, line in enumerate(plan.lines, start=1):
        out.append(f"{i}. {render_line(plan=plan, line=line, lang=lang)}")
    elig = plan.eligibility
    if elig.insutypes:
        kinds = {"310": ("职工医保", "employees"), "390": ("城乡居民医保", "residents")}
        who = ("、" if zh else ", ").join(
            kinds.get(t, (t, t))[0 if zh else 1] for t in sorted(elig.insutypes)
        )
        out.append(f"保障对象：{who}参保人" if zh else f"Covered: {who}")
    out.extend(render_eligibility(eligibility=elig, lang=lang))
    if plan.cap is not None:
        out.append(
            ("方案" if zh else "Plan") + _render_cap(plan.cap, zh, plan_level=True).lstrip("，,")
        )
    start, acc_from = plan.effective_from, plan.accumulate_from
    if acc_from and acc_from < start:
        out.append(
            f"方案自{start}施行，费用自{acc_from}起累计计算"
            if zh
            else f"In force from {start}; costs accumulate from {acc_from}"
        )
    return "\n".join(out)
