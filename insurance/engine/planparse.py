"""Reading a plan document (a JSON-compatible dict) into a `Plan`.

`parse_plan` returns a `Plan` or raises `PlanError` carrying *every* problem found, each with its
JSON path (`lines[1].tiers[0].rate`), a code, and a message in Chinese and English.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from decimal import Decimal

from .plan import (
    KINDS,
    OWN_PAYMENT_FIELDS,
    SCOPES,
    TIER_BASES,
    WAITING_FROM,
    Accumulation,
    BaseSpec,
    Deductible,
    Eligibility,
    Exclusion,
    Line,
    Override,
    Plan,
    PlanError,
    PlanIssue,
    Tier,
    TopUp,
)
from .planread import Reader
from .planrules import check_seed_rules

__all__ = ["parse_plan", "validate_plan"]


def validate_plan(document: object) -> list[PlanIssue]:
    """Every problem in the document (empty list: valid)."""
    reader = Reader()
    _read_plan(reader, document)
    return reader.issues


def parse_plan(document: object) -> Plan:
    reader = Reader()
    plan = _read_plan(reader, document)
    if reader.issues or plan is None:
        raise PlanError(reader.issues)
    return plan


_PLAN_KEYS = {
    "code", "name", "name_en", "version", "effective_from", "effective_to", "accumulate_from",
    "source", "example", "notes", "plain_words", "policy_year_start", "cap_year", "cap",
    "eligibility", "overrides", "lines", "own_payment_field",
}  # fmt: skip
_LINE_KEYS = {
    "id", "name", "name_en", "kind", "rules", "med_types", "insutypes", "base", "accumulation",
    "deductible", "tier_basis", "tiers", "rate", "top_up", "cap", "personal_quota",
}  # fmt: skip
_ELIGIBILITY_KEYS = {
    "insutypes", "require_enrolment", "waiting_days", "waiting_from", "service_years",
    "excluded_causes",
}  # fmt: skip
_OVERRIDE_KEYS = {
    "id", "when", "lines", "waive_deductible", "deductible_factor", "deductible_amount",
    "rate_add", "no_cap", "exclude",
}  # fmt: skip


def _read_plan(r: Reader, doc: object) -> Plan | None:
    if not r.is_object(doc, ""):
        return None
    assert isinstance(doc, Mapping)
    r.known_keys(doc, _PLAN_KEYS, "")
    code = r.slug(doc, "code", "")
    name = r.text(doc, "name", "")
    version = r.integer(doc, "version", "", minimum=1)
    effective_from = r.date(doc, "effective_from", "")
    effective_to = r.date(doc, "effective_to", "", required=False)
    accumulate_from = r.date(doc, "accumulate_from", "", required=False)
    if effective_from and effective_to and effective_to < effective_from:
        r.add("effective_to", "date_order", after="effective_from")
    if effective_from and accumulate_from and accumulate_from > effective_from:
        r.add("accumulate_from", "not_after", other="effective_from")
    seed, rules = "", ()
    source = r.get(doc, "source", "", required=True)
    if r.is_object(source, "source"):
        assert isinstance(source, Mapping)
        r.known_keys(source, {"seed", "rules", "note"}, "source")
        seed = r.text(source, "seed", "source")
        rules = r.text_list(source, "rules", "source", required=True, non_empty=True)
        r.text(source, "note", "source", required=False)
    plain_zh, plain_en = _read_plain_words(r, doc.get("plain_words"))
    pys = r.month_day(doc, "policy_year_start", "") or (1, 1)
    cap_year = r.choice(doc, "cap_year", "", ("calendar", "policy"), default="calendar")
    own_payment_field = r.required_choice(doc, "own_payment_field", "", OWN_PAYMENT_FIELDS)
    lines = _read_lines(r, doc)
    line_ids = [line.id for line in lines]
    overrides = _read_overrides(r, doc.get("overrides", []), line_ids)
    plan = Plan(
        code=code,
        name=name,
        name_en=r.text(doc, "name_en", "", required=False),
        version=version or 1,
        effective_from=effective_from or date.min,
        effective_to=effective_to,
        accumulate_from=accumulate_from,
        source_seed=seed,
        source_rules=tuple(rules),
        own_payment_field=own_payment_field,
        example=r.boolean(doc, "example", "", default=False),
        notes=tuple(r.text_list(doc, "notes", "", required=False)),
        plain_words_zh=plain_zh,
        plain_words_en=plain_en,
        policy_year_start=pys,
        cap_year=cap_year,
        cap=r.amount(doc, "cap", "", required=False),
        eligibility=_read_eligibility(r, doc.get("eligibility", {})),
        overrides=overrides,
        lines=tuple(lines),
    )
    if not r.issues:
        check_seed_rules(r, plan)
    return None if r.issues else plan


def _read_plain_words(r: Reader, value: object) -> tuple[str, str]:
    if value is None:
        return "", ""
    if isinstance(value, str):
        return value, ""
    if r.is_object(value, "plain_words"):
        assert isinstance(value, Mapping)
        r.known_keys(value, {"zh", "en"}, "plain_words")
        return (
            r.text(value, "zh", "plain_words", required=False),
            r.text(value, "en", "plain_words", required=False),
        )
    return "", ""


def _read_eligibility(r: Reader, value: object) -> Eligibility:
    path = "eligibility"
    if not r.is_object(value, path):
        return Eligibility()
    assert isinstance(value, Mapping)
    r.known_keys(value, _ELIGIBILITY_KEYS, path)
    return Eligibility(
        insutypes=frozenset(r.text_list(value, "insutypes", path, required=False)),
        require_enrolment=r.boolean(value, "require_enrolment", path, default=True),
        waiting_days=r.integer(value, "waiting_days", path, minimum=0, required=False) or 0,
        waiting_from=r.choice(value, "waiting_from", path, WAITING_FROM, default="enrolment"),
        service_years=r.integer(value, "service_years", path, minimum=0, required=False) or 0,
        excluded_causes=frozenset(r.text_list(value, "excluded_causes", path, required=False)),
    )


def _read_lines(r: Reader, doc: Mapping) -> list[Line]:
    raw = r.get(doc, "lines", "", required=True)
    if not r.is_list(raw, "lines", non_empty=True):
        return []
    assert isinstance(raw, list)
    lines: list[Line] = []
    seen: list[str] = []
    quota_lines = 0
    for index, item in enumerate(raw):
        line = _read_line(r, item, f"lines[{index}]", seen)
        if line is not None:
            if line.id in seen:
                r.add(f"lines[{index}].id", "duplicate", value=line.id)
            seen.append(line.id)
            lines.append(line)
            quota_lines += line.personal_quota
            if line.personal_quota and quota_lines > 1:
                r.add(f"lines[{index}].personal_quota", "one_quota")
    return lines


def _read_line(r: Reader, item: object, path: str, earlier: list[str]) -> Line | None:
    if not r.is_object(item, path):
        return None
    assert isinstance(item, Mapping)
    r.known_keys(item, _LINE_KEYS, path)
    line_id = r.slug(item, "id", path)
    kind = r.choice(item, "kind", path, KINDS, default="tiered")
    base = _read_base(r, item.get("base"), f"{path}.base", earlier)
    deductible = _read_deductible(r, item.get("deductible"), f"{path}.deductible")
    tiers: tuple[Tier, ...] = ()
    top_up = None
    if kind == "tiered":
        tiers = _read_tiers(r, item, path)
    else:
        for key in ("tiers", "rate", "deductible"):
            if item.get(key) is not None:
                r.add(f"{path}.{key}", "not_for_top_up")
        top_up = _read_top_up(r, item.get("top_up"), f"{path}.top_up", earlier)
    if kind == "tiered" and item.get("top_up") is not None:
        r.add(f"{path}.top_up", "only_for_top_up")
    cap = r.amount(item, "cap", path, required=False)
    personal_quota = r.boolean(item, "personal_quota", path, default=False)
    if personal_quota and cap is None:
        r.add(f"{path}.personal_quota", "quota_needs_cap")
    return Line(
        id=line_id,
        name=r.text(item, "name", path),
        name_en=r.text(item, "name_en", path, required=False),
        kind=kind,
        rules=tuple(r.text_list(item, "rules", path, required=False)),
        med_types=frozenset(r.text_list(item, "med_types", path, required=False)),
        insutypes=frozenset(r.text_list(item, "insutypes", path, required=False)),
        base=base,
        accumulation=_read_accumulation(r, item.get("accumulation"), f"{path}.accumulation"),
        deductible=deductible,
        tier_basis=r.choice(item, "tier_basis", path, TIER_BASES, default="above_deductible"),
        tiers=tiers,
        top_up=top_up,
        cap=cap,
        personal_quota=personal_quota,
    )


def _read_base(r: Reader, value: object, path: str, earlier: list[str]) -> BaseSpec:
    if value is None:
        r.add(path, "required")
        return BaseSpec(fields=())
    if not r.is_object(value, path):
        return BaseSpec(fields=())
    assert isinstance(value, Mapping)
    r.known_keys(value, {"fields", "exclude", "minus_lines"}, path)
    fields = r.field_list(value, "fields", path, non_empty=True)
    exclusions: list[Exclusion] = []
    raw = value.get("exclude", [])
    if r.is_list(raw, f"{path}.exclude"):
        assert isinstance(raw, list)
        for i, entry in enumerate(raw):
            epath = f"{path}.exclude[{i}]"
            if isinstance(entry, str):
                if r.check_field_name(entry, epath):
                    exclusions.append(Exclusion(field=entry))
            elif r.is_object(entry, epath):
                assert isinstance(entry, Mapping)
                r.known_keys(entry, {"field", "label_zh", "label_en"}, epath)
                name = r.text(entry, "field", epath)
                if name and r.check_field_name(name, f"{epath}.field"):
                    exclusions.append(
                        Exclusion(
                            field=name,
                            label_zh=r.text(entry, "label_zh", epath, required=False),
                            label_en=r.text(entry, "label_en", epath, required=False),
                        )
                    )
    minus = r.line_refs(value, "minus_lines", path, earlier)
    return BaseSpec(fields=tuple(fields), exclude=tuple(exclusions), minus_lines=tuple(minus))


def _read_accumulation(r: Reader, value: object, path: str) -> Accumulation:
    if value is None:
        return Accumulation()
    if not r.is_object(value, path):
        return Accumulation()
    assert isinstance(value, Mapping)
    r.known_keys(value, {"scope", "by_category", "category_pools"}, path)
    scope = r.choice(value, "scope", path, SCOPES, default="calendar_year")
    by_category = r.category_map(value, "by_category", path, choices=SCOPES)
    pools = r.category_map(value, "category_pools", path, choices=None)
    return Accumulation(scope=scope, by_category=by_category, category_pools=pools)


def _read_deductible(r: Reader, value: object, path: str) -> Deductible | None:
    if value is None:
        return None
    if not r.is_object(value, path):
        return None
    assert isinstance(value, Mapping)
    r.known_keys(value, {"amount", "reference", "factor"}, path)
    amount = r.amount(value, "amount", path, required=False)
    reference = value.get("reference")
    ref_urban = ref_rural = None
    if isinstance(reference, str) and reference:
        ref_urban = reference
    elif isinstance(reference, Mapping):
        r.known_keys(reference, {"urban", "rural"}, f"{path}.reference")
        ref_urban = r.text(reference, "urban", f"{path}.reference")
        ref_rural = r.text(reference, "rural", f"{path}.reference", required=False) or None
    elif reference is not None:
        r.add(f"{path}.reference", "type_reference")
    if (amount is None) == (ref_urban is None):
        r.add(path, "amount_or_reference")
    factor = r.decimal(value, "factor", path, required=False, lo=Decimal(0))
    return Deductible(
        amount=amount,
        reference=ref_urban,
        reference_rural=ref_rural,
        factor=Decimal(1) if factor is None else factor,
    )


def _read_tiers(r: Reader, item: Mapping, path: str) -> tuple[Tier, ...]:
    has_rate, has_tiers = item.get("rate") is not None, item.get("tiers") is not None
    if has_rate == has_tiers:
        r.add(path, "rate_or_tiers")
        return ()
    if has_rate:
        rate = r.decimal(item, "rate", path, lo=Decimal(0), hi=Decimal(1))
        return (Tier(start=Decimal(0), rate=rate),) if rate is not None else ()
    raw = item["tiers"]
    if not r.is_list(raw, f"{path}.tiers", non_empty=True):
        return ()
    tiers: list[Tier] = []
    previous: Decimal | None = None
    for i, entry in enumerate(raw):
        tpath = f"{path}.tiers[{i}]"
        if not r.is_object(entry, tpath):
            continue
        r.known_keys(entry, {"from", "rate"}, tpath)
        start = r.amount(entry, "from", tpath)
        rate = r.decimal(entry, "rate", tpath, lo=Decimal(0), hi=Decimal(1))
        if start is None or rate is None:
            continue
        if previous is not None and start <= previous:
            r.add(f"{tpath}.from", "ascending")
        previous = start
        tiers.append(Tier(start=start, rate=rate))
    return tuple(tiers)


def _read_top_up(r: Reader, value: object, path: str, earlier: list[str]) -> TopUp | None:
    if value is None:
        r.add(path, "required")
        return None
    if not r.is_object(value, path):
        return None
    assert isinstance(value, Mapping)
    r.known_keys(value, {"target_rate", "reimbursed_fields", "reimbursed_lines"}, path)
    target = r.decimal(value, "target_rate", path, lo=Decimal(0), hi=Decimal(1))
    return TopUp(
        target_rate=target if target is not None else Decimal(0),
        reimbursed_fields=tuple(r.field_list(value, "reimbursed_fields", path, required=False)),
        reimbursed_lines=tuple(r.line_refs(value, "reimbursed_lines", path, earlier)),
    )


def _read_overrides(r: Reader, raw: object, line_ids: list[str]) -> tuple[Override, ...]:
    if not r.is_list(raw, "overrides"):
        return ()
    assert isinstance(raw, list)
    result: list[Override] = []
    for i, item in enumerate(raw):
        path = f"overrides[{i}]"
        if not r.is_object(item, path):
            continue
        assert isinstance(item, Mapping)
        r.known_keys(item, _OVERRIDE_KEYS, path)
        when = r.get(item, "when", path, required=True)
        statuses: list[str] = []
        cvlserv = False
        if r.is_object(when, f"{path}.when"):
            assert isinstance(when, Mapping)
            r.known_keys(when, {"statuses", "cvlserv"}, f"{path}.when")
            statuses = r.status_list(when, "statuses", f"{path}.when")
            cvlserv = r.boolean(when, "cvlserv", f"{path}.when", default=False)
            if not statuses and not cvlserv:
                r.add(f"{path}.when", "empty_condition")
        lines = r.line_refs(item, "lines", path, line_ids)
        d_factor = r.decimal(item, "deductible_factor", path, required=False, lo=Decimal(0))
        d_amount = r.amount(item, "deductible_amount", path, required=False)
        rate_add = r.decimal(item, "rate_add", path, required=False, lo=Decimal(0), hi=Decimal(1))
        override_id = r.slug(item, "id", path)
        if override_id and override_id in {o.id for o in result}:
            r.add(f"{path}.id", "duplicate", value=override_id)
        result.append(
            Override(
                id=override_id,
                statuses=frozenset(statuses),
                cvlserv=cvlserv,
                lines=tuple(lines),
                waive_deductible=r.boolean(item, "waive_deductible", path, default=False),
                deductible_factor=d_factor,
                deductible_amount=d_amount,
                rate_add=rate_add or Decimal(0),
                no_cap=r.boolean(item, "no_cap", path, default=False),
                exclude=r.boolean(item, "exclude", path, default=False),
            )
        )
    return tuple(result)
