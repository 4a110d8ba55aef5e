"""A synthetic city for demos and benchmarks: regions, schemes, people, statuses, enrollments.

Deterministic for a seed. People are numbered; a run with more people adds only the missing ones
(idempotent). PostgreSQL loads with COPY (psycopg 3), SQLite with chunked bulk_create.
ID numbers are unique for up to 1,500,000 people: the birth date comes from the person's index
(30,000 distinct dates x 50 sequence numbers), the sequence digit's parity from the sex.
"""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal

from django.db import connection, transaction
from django.utils import timezone

from audit import crypto, events
from insurance.choices import (
    EnrollmentKind,
    FundingKind,
    InsuType,
    PaymentChannel,
    PersonStatus,
    PersonType,
    RegionLevel,
    SchemeKind,
    SpecialStatusKind,
)
from insurance.identity import certno_check_digit
from insurance.models import Enrollment, Person, Region, Scheme, SchemeYear, SpecialStatus

DEMO_YEAR = 2025
CITY = ("370800", "示范市")
DISTRICTS = [("370802", "东湖区"), ("370811", "西山区"), ("370812", "南城区")]
COUNTIES = [
    ("370826", "北岭县"),
    ("370827", "青河县"),
    ("370828", "云台县"),
    ("370829", "临溪县"),
    ("370881", "安平市"),
]
SURNAMES = [
    *(
        "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈"
        "姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
    ),
    "欧阳",
    "司马",
    "诸葛",
    "上官",
]
GIVEN = list(
    "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英华玉兰萍红娥建国志刚海燕文博子涵雨轩浩然思远佳怡欣"
)
PSN_PREFIX = "9"
BIRTH_BASE = dt.date(1935, 1, 1)
CHUNK = 20_000


def _scheme_years() -> list[dict]:
    return [
        {
            "code": "EMP-SUPP",
            "name": "示范市职工补充医疗保险",
            "kind": SchemeKind.EMPLOYEE_SUPPLEMENTARY,
            "funding_kind": FundingKind.PER_CAPITA,
            "funding_params": {"amount": "60.00", "source": "employee_large_fund"},
            "waiting_period_days": 0,
        },
        {
            "code": "RES-CRIT",
            "name": "示范市城乡居民大病保险",
            "kind": SchemeKind.RESIDENT_CRITICAL,
            "funding_kind": FundingKind.BASIC_FUNDING_PERCENT,
            "funding_params": {"percent": "5.5", "min_percent": "5"},
            "waiting_period_days": 0,
        },
        {
            "code": "UNIV-SUPP",
            "name": "示范市全民补充医疗保险",
            "kind": SchemeKind.UNIVERSAL_SUPPLEMENTARY,
            "funding_kind": FundingKind.PER_CAPITA,
            "funding_params": {"amount": "20.00"},
            "waiting_period_days": 90,
        },
        {
            "code": "HMB",
            "name": "示范惠民保",
            "kind": SchemeKind.CITY_VOLUNTARY,
            "funding_kind": FundingKind.VOLUNTARY_PREMIUM,
            "funding_params": {"premium": "99.00", "months": "12"},
            "waiting_period_days": 0,
        },
        {
            "code": "CRIT-2ND",
            "name": "示范市大病二次补偿",
            "kind": SchemeKind.RESIDENT_CRITICAL,
            "funding_kind": FundingKind.FIXED_TOTAL,
            "funding_params": {
                "total": "145891300.00",
                "split": [
                    {"source": "employee_supp_fund", "percent": "80"},
                    {"source": "resident_fund", "percent": "20"},
                ],
            },
            "waiting_period_days": 0,
        },
        {
            "code": "ENT-SUPP",
            "name": "示范企业补充医疗保险",
            "kind": SchemeKind.ENTERPRISE_SUPPLEMENTARY,
            "funding_kind": FundingKind.PAYROLL_PERCENT,
            "funding_params": {"percent": "4", "stop_percent": "8", "deductible_percent": "5"},
            "waiting_period_days": 0,
        },
    ]


@transaction.atomic
def regions_ensure() -> tuple[Region, list[Region]]:
    city, _c = Region.objects.get_or_create(
        code=CITY[0], defaults={"name": CITY[1], "level": RegionLevel.CITY}
    )
    children = []
    for code, name in DISTRICTS + COUNTIES:
        level = RegionLevel.DISTRICT if (code, name) in DISTRICTS else RegionLevel.COUNTY
        region, _c = Region.objects.get_or_create(
            code=code, defaults={"name": name, "level": level, "parent": city}
        )
        children.append(region)
    return city, children


@transaction.atomic
def schemes_ensure(city: Region) -> dict[str, SchemeYear]:
    years = {}
    for spec in _scheme_years():
        scheme, _c = Scheme.objects.get_or_create(
            code=spec["code"], defaults={"name": spec["name"], "kind": spec["kind"], "region": city}
        )
        year, _c = SchemeYear.objects.get_or_create(
            scheme=scheme,
            year=DEMO_YEAR,
            defaults={
                "coverage_start": dt.date(DEMO_YEAR, 1, 1),
                "coverage_end": dt.date(DEMO_YEAR, 12, 31),
                "funding_kind": spec["funding_kind"],
                "funding_params": spec["funding_params"],
                "waiting_period_days": spec["waiting_period_days"],
                "prev_disposable_income_urban": Decimal("48500.00"),
                "prev_disposable_income_rural": Decimal("22100.00"),
                "prev_basic_funding_per_capita": Decimal("1020.00"),
            },
        )
        years[spec["code"]] = year
    return years


def _certno(region_code: str, index: int, male: bool, rng: random.Random) -> tuple[str, dt.date]:
    slot, seq = divmod(index, 50)
    birth = BIRTH_BASE + dt.timedelta(days=(slot * 7919) % 30_000)
    last = rng.randrange(0, 10, 2) + (1 if male else 0)
    first17 = f"{region_code}{birth:%Y%m%d}{seq:02d}{last}"
    return first17 + certno_check_digit(first17), birth


def _person_row(index: int, rng: random.Random, regions: list[Region], now) -> dict:
    region = regions[rng.randrange(len(regions))]
    male = rng.random() < 0.5
    certno, birth = _certno(region.code, index, male, rng)
    age = DEMO_YEAR - birth.year
    employee = 18 <= age < 75 and rng.random() < 0.45
    if employee:
        psn_type = PersonType.RETIRED if age >= 60 else PersonType.EMPLOYED
    else:
        psn_type = (
            PersonType.RESIDENT_MINOR
            if age < 18
            else PersonType.RESIDENT_ELDERLY
            if age >= 60
            else PersonType.RESIDENT_ADULT
        )
    draw = rng.random()
    status = (
        PersonStatus.ACTIVE
        if draw < 0.95
        else PersonStatus.SUSPENDED
        if draw < 0.97
        else PersonStatus.ENDED
        if draw < 0.99
        else PersonStatus.DECEASED
    )
    name = rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2, 2))))
    phone = f"1{rng.choice('3456789')}{rng.randrange(10**9):09d}"
    insured_since = dt.date(max(birth.year, 2000), 1, 1)
    # From the index, not the generator, so the people drawn before these facts stay the same:
    # working employees joined their employer after their insurance began (R-ENT-2), two
    # residents in five live in the countryside (R-IM-2).
    hire_date = None
    if employee and psn_type == PersonType.EMPLOYED:
        hire_date = min(
            dt.date(DEMO_YEAR - 1, 12, 1),
            dt.date(max(insured_since.year, birth.year + 20) + index % 7, 1 + index % 12, 1),
        )
    return {
        "psn_no": f"{PSN_PREFIX}{index:011d}",
        "certno": crypto.encrypt(certno),
        "certno_bidx": crypto.blind_index(certno),
        "name": crypto.encrypt(name),
        "phone": crypto.encrypt(phone),
        "sex": "1" if male else "2",
        "birth_date": birth,
        "insutype": InsuType.EMPLOYEE if employee else InsuType.RESIDENT,
        "psn_type": psn_type,
        "region_id": region.pk,
        "employer_id": None,
        "status": status,
        "status_date": None if status == PersonStatus.ACTIVE else dt.date(DEMO_YEAR, 1, 1),
        "insured_since": insured_since,
        "hire_date": hire_date,
        "rural": not employee and index % 5 < 2,
        "cvlserv_flag": employee and rng.random() < 0.05,
        "created_at": now,
        "updated_at": now,
    }


def _extras(person_id: int, row: dict, rng: random.Random, years: dict[str, SchemeYear] | None):
    specials, enrollments = [], []
    if row["insutype"] == InsuType.RESIDENT and rng.random() < 0.06:
        kind = rng.choice(SpecialStatusKind.values)
        start = dt.date(DEMO_YEAR - rng.randrange(0, 4), rng.randrange(1, 13), 1)
        end = None if rng.random() < 0.6 else start + dt.timedelta(days=rng.randrange(180, 900))
        specials.append(
            {"person_id": person_id, "kind": kind, "valid_from": start, "valid_to": end, "note": ""}
        )
    if row["status"] != PersonStatus.ACTIVE or years is None:
        return specials, enrollments
    codes = ["UNIV-SUPP", "EMP-SUPP" if row["insutype"] == InsuType.EMPLOYEE else "RES-CRIT"]
    if rng.random() < 0.25:
        codes.append("HMB")
    for code in codes:
        year = years[code]
        first = rng.random() < 0.2
        kind = EnrollmentKind.FIRST if first else EnrollmentKind.RENEWAL
        wait = year.waiting_period_days if first else 0
        voluntary = code == "HMB"
        channel = PaymentChannel.NONE
        if voluntary:
            channel = rng.choice(
                [PaymentChannel.WECHAT, PaymentChannel.ALIPAY, PaymentChannel.COUNTER]
                + ([PaymentChannel.OWN_ACCOUNT] if row["insutype"] == InsuType.EMPLOYEE else [])
            )
        enrollments.append(
            {
                "person_id": person_id,
                "scheme_year_id": year.pk,
                "kind": kind,
                "start_date": year.coverage_start,
                "end_date": year.coverage_end,
                "benefits_from": year.coverage_start + dt.timedelta(days=wait),
                "status": "active",
                "premium": Decimal("99.00") if voluntary else Decimal("0.00"),
                "payment_channel": channel,
                "payer_id": None,
                "cancelled_on": None,
                "cancel_reason": "",
                "refund_amount": None,
                "created_by_id": None,
                "created_at": row["created_at"],
            }
        )
    return specials, enrollments


def _copy(model, rows: list[dict]) -> None:
    if not rows:
        return
    columns = list(rows[0])
    qn = connection.ops.quote_name
    sql = f"COPY {qn(model._meta.db_table)} ({', '.join(qn(c) for c in columns)}) FROM STDIN"
    with connection.cursor() as cursor, cursor.cursor.copy(sql) as copy:
        for row in rows:
            copy.write_row([row[c] for c in columns])


def _insert_people(rows: list[dict]) -> list[int]:
    if connection.vendor == "postgresql":
        _copy(Person, rows)
        ids = dict(
            Person.objects.filter(
                psn_no__gte=rows[0]["psn_no"], psn_no__lte=rows[-1]["psn_no"]
            ).values_list("psn_no", "id")
        )
        return [ids[r["psn_no"]] for r in rows]
    objs = [
        Person(**{k: v for k, v in r.items() if k not in ("created_at", "updated_at")})
        for r in rows
    ]
    # bulk_create computes the blind index from the attribute (BlindIndexField.pre_save), so it
    # needs the plaintext ID number; the field encrypts it again on the way in.
    for obj, row in zip(objs, rows, strict=True):
        obj.certno = crypto.decrypt(row["certno"])
    Person.objects.bulk_create(objs, batch_size=2000)
    return [o.pk for o in objs]


def _insert(model, rows: list[dict]) -> None:
    if not rows:
        return
    if connection.vendor == "postgresql":
        _copy(model, rows)
    else:
        model.objects.bulk_create([model(**r) for r in rows], batch_size=2000)


def generate_city(
    *, people: int, seed: int = 1, actor=None, stdout=None, enrol: bool = True
) -> int:
    """Make sure the synthetic city has `people` generated people; returns how many were added.
    With `enrol`, the city's own six schemes of DEMO_YEAR and the people's enrolments in them
    (the benchmarks' city); without, the people only (the demo enrols them in its own years)."""
    city, districts = regions_ensure()
    years = schemes_ensure(city) if enrol else None
    existing = Person.objects.filter(psn_no__startswith=PSN_PREFIX).count()
    if existing >= people:
        return 0
    rng = random.Random(seed)
    now = timezone.now()
    added = 0
    index = 0
    while index < people:
        stop = min(index + CHUNK, people)
        batch = [(i, _person_row(i, rng, districts, now)) for i in range(index, stop)]
        extra_rngs = [random.Random(seed * 1_000_003 + i) for i, _r in batch]
        index = stop
        batch_new = [
            (i, r, x) for (i, r), x in zip(batch, extra_rngs, strict=True) if i >= existing
        ]
        if not batch_new:
            continue
        with transaction.atomic():
            ids = _insert_people([r for _i, r, _x in batch_new])
            specials, enrollments = [], []
            for pid, (_i, row, xrng) in zip(ids, batch_new, strict=True):
                s, e = _extras(pid, row, xrng, years)
                specials.extend(s)
                enrollments.extend(e if years is not None else [])
            _insert(SpecialStatus, specials)
            _insert(Enrollment, enrollments)
        added += len(batch_new)
        if stdout is not None:
            stdout.write(f"{stop}/{people}")
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            for model in (Person, Enrollment, SpecialStatus):
                cursor.execute(f"ANALYZE {connection.ops.quote_name(model._meta.db_table)}")
    events.batch(
        actor=actor,
        obj=None,
        summary=f"生成演示城市：新增 {added} 名参保人",
        checksum=f"seed={seed};people={people}",
        count=added,
    )
    return added


def demo_city_ensure(*, people: int = 300, seed: int = 1) -> int:
    """The small city `make run`'s demo uses (idempotent): people only; `claims.demo` enrols
    them in the six seed schemes."""
    return generate_city(people=people, seed=seed, enrol=False)
