"""A 10,000-item catalogue for the benchmarks: the demo province plus synthetic items.

Synthetic items are variants (新办/变更/延续/注销…) of the demo items' names and of other real
catalogue names, held by the same kinds of department in other real Zhejiang regions. A copy of a
demo item keeps a few of its everyday keywords only sometimes, so the demo items compete with
near-duplicates without being buried by items that carry every synonym. Search rows are built from
``tokens_for`` over exactly the texts ``search_index_item`` uses; ``verify_index_sample`` checks that
by re-indexing a sample through the service and comparing the rows.
"""

from __future__ import annotations

import random
import re
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import lru_cache

from django.core.management import call_command
from django.db import transaction
from django.utils import timezone

from onevisit.catalog.models import ItemSearchIndex, ItemVersion, LifeEvent, ServiceItem
from onevisit.catalog.search import tokens_for
from onevisit.catalog.services import search_index_item, search_texts
from onevisit.demo.loader import load_demo
from onevisit.org.models import Department, Region

TARGET_ITEMS = 10_000
SEED = 20240601
BATCH = 500

# Real GB/T 2260 codes of Zhejiang (parent code, code, name, level).
REGIONS: list[tuple[str | None, str, str, int]] = [
    ("330000", "330200", "宁波市", 3),
    ("330000", "330300", "温州市", 3),
    ("330000", "330400", "嘉兴市", 3),
    ("330000", "330600", "绍兴市", 3),
    ("330000", "330700", "金华市", 3),
    ("330000", "331000", "台州市", 3),
    ("330100", "330102", "上城区", 4),
    ("330100", "330105", "拱墅区", 4),
    ("330100", "330108", "滨江区", 4),
    ("330100", "330109", "萧山区", 4),
    ("330100", "330111", "富阳区", 4),
    ("330100", "330112", "临安区", 4),
    ("330100", "330113", "临平区", 4),
    ("330100", "330122", "桐庐县", 4),
    ("330100", "330127", "淳安县", 4),
    ("330100", "330182", "建德市", 4),
    ("330500", "330502", "吴兴区", 4),
    ("330500", "330522", "长兴县", 4),
    ("330500", "330523", "安吉县", 4),
    ("330200", "330203", "海曙区", 4),
    ("330200", "330212", "鄞州区", 4),
    ("330200", "330282", "慈溪市", 4),
    ("330300", "330302", "鹿城区", 4),
    ("330300", "330381", "瑞安市", 4),
    ("330400", "330402", "南湖区", 4),
    ("330400", "330481", "海宁市", 4),
    ("330600", "330602", "越城区", 4),
    ("330600", "330681", "诸暨市", 4),
    ("330700", "330702", "婺城区", 4),
    ("330700", "330782", "义乌市", 4),
    ("331000", "331002", "椒江区", 4),
    ("331000", "331081", "温岭市", 4),
]

# Department kind (code suffix) → name, audience of its extra items, and extra real catalogue names
# with a few everyday words each.
DEPARTMENTS: dict[str, tuple[str, list[tuple[str, str]]]] = {
    "SCJG": (
        "市场监督管理局",
        [
            ("企业变更登记", "改名字 换法人 变更执照"),
            ("食品生产许可", "食品厂 做食品"),
            ("特种设备使用登记", "电梯登记 锅炉登记"),
            ("药品零售企业许可", "开药店 药店许可"),
            ("股权出质登记", ""),
            ("营业执照遗失补领", "执照丢了 补执照"),
        ],
    ),
    "GA": (
        "公安局",
        [
            ("户口迁移", "迁户口 户口迁出"),
            ("出入境证件签发（护照）", "办护照 护照"),
            ("往来港澳通行证签发", "港澳通行证 去香港"),
            ("户籍证明开具", "户口证明 开证明"),
            ("姓名变更登记", "改名字 改名"),
        ],
    ),
    "RS": (
        "人力资源和社会保障局",
        [
            ("就业创业证申领", "就业证 创业证"),
            ("职工参保登记", "员工参保 交社保"),
            ("社会保险关系转移", "社保转移 社保转出"),
            ("工伤认定申请", "工伤 受伤了"),
            ("技能人员职业资格证书核发", "技能证书 职业资格证"),
        ],
    ),
    "MZ": (
        "民政局",
        [
            ("社会团体成立登记", "成立协会 社团登记"),
            ("临时救助", "困难救助 急难救助"),
            ("养老机构备案", "开养老院 养老院备案"),
            ("婚姻登记档案查询", "查结婚记录 婚姻证明"),
        ],
    ),
    "WJ": (
        "卫生健康委员会",
        [
            ("医师执业注册", "医生注册 执业证"),
            ("护士执业注册", "护士注册"),
            ("医疗机构执业登记", "开诊所 诊所许可"),
            ("放射诊疗许可", ""),
        ],
    ),
    "SW": (
        "税务局",
        [
            ("个人所得税综合所得汇算清缴", "个税 退税 汇算"),
            ("增值税申报", "报税 申报纳税"),
            ("开具税收完税证明", "完税证明 纳税证明"),
        ],
    ),
    "ZJ": (
        "住房和城乡建设局",
        [
            ("建筑工程施工许可", "施工许可 开工许可"),
            ("商品房预售许可", "预售证 卖楼"),
            ("房屋建筑工程竣工验收备案", "竣工备案"),
        ],
    ),
    "JY": (
        "教育局",
        [
            ("教师资格认定", "教师资格证 当老师"),
            ("民办学校设立审批", "办学校 开培训班"),
            ("学籍转学", "转学"),
        ],
    ),
    "YB": (
        "医疗保障局",
        [
            ("异地就医备案", "异地看病 外地看病 医保备案"),
            ("医疗费用手工报销", "医保报销 看病报销"),
            ("医保关系转移接续", "医保转移"),
        ],
    ),
    "JT": (
        "交通运输局",
        [
            ("道路运输经营许可", "跑运输 货运许可"),
            ("网络预约出租汽车驾驶员证核发", "网约车证 开网约车"),
            ("出租汽车经营许可", "出租车"),
        ],
    ),
    "ZRZY": (
        "自然资源和规划局",
        [
            ("建设用地规划许可", "用地许可"),
            ("建设工程规划许可", "规划许可"),
        ],
    ),
    "BDC": (
        "不动产登记中心",
        [
            ("不动产抵押登记", "抵押 房子抵押"),
            ("不动产首次登记", "新房办证"),
            ("不动产登记资料查询", "查房产 房产查询"),
        ],
    ),
    "GJJ": (
        "住房公积金管理中心",
        [
            ("住房公积金缴存基数调整", "公积金基数"),
            ("住房公积金账户转移", "公积金转移"),
        ],
    ),
    "STHJ": ("生态环境局", [("建设项目环境影响评价审批", "环评 环评审批")]),
    "XF": ("消防救援支队", [("消防产品现场检查", "")]),
    "JJ": ("公安局交通警察支队（车辆管理所）", [("机动车驾驶证补证", "驾照丢了 补驾照")]),
    "YC": ("烟草专卖局", [("烟草专卖零售许可证延续", "烟草证到期")]),
    "CL": ("残疾人联合会", [("残疾人机动轮椅车燃油补贴", "残疾人补贴")]),
    "CG": ("城市管理局", [("户外广告设施设置审批", "挂招牌 店招"), ("城市道路占用挖掘审批", "占道")]),
    "WH": (
        "文化广电旅游局",
        [
            ("娱乐场所从事娱乐场所经营活动审批", "开KTV 开歌厅"),
            ("网吧经营许可", "开网吧"),
            ("旅行社设立许可", "开旅行社"),
        ],
    ),
}
VARIANTS = [
    "（新办）",
    "（变更）",
    "（延续）",
    "（注销）",
    "（补办）",
    "（跨省通办）",
    "（个人）",
    "（单位）",
]
REGION_SHARE_OF_DEMO_KEYWORDS = 0.25


@dataclass
class Base:
    """A service name and everything a synthetic copy of it draws from."""

    name: str
    dept_kind: str
    audience: str
    keywords: list[str]
    life_events: list[str] = field(default_factory=list)
    from_demo: bool = False


def prepare(*, target: int = TARGET_ITEMS, verbose: bool = True) -> None:
    """Migrate, load the demo and top up to ``target`` items; does nothing the second time."""
    call_command("migrate", verbosity=0)
    if not ServiceItem.objects.exists():
        started = time.perf_counter()
        load_demo()
        _say(verbose, f"demo loaded in {time.perf_counter() - started:.1f} s")
    missing = target - ServiceItem.objects.count()
    if missing > 0:
        started = time.perf_counter()
        generate(count=missing)
        _say(verbose, f"{missing} synthetic items in {time.perf_counter() - started:.1f} s")
        verify_index_sample()


def _say(verbose: bool, text: str) -> None:
    if verbose:
        print(f"  [data] {text}", flush=True)


def demo_bases() -> list[Base]:
    items = ServiceItem.objects.filter(code__regex=r"-\d{3}$").prefetch_related("life_events")
    return [
        Base(
            name=item.name,
            dept_kind=item.department.code.split("-", 1)[1],
            audience=item.audience,
            keywords=item.keywords.split(),
            life_events=[e.code for e in item.life_events.all()],
            from_demo=True,
        )
        for item in items.select_related("department")
    ]


def extra_bases() -> list[Base]:
    return [
        Base(name=name, dept_kind=kind, audience="person", keywords=words.split())
        for kind, (_, names) in DEPARTMENTS.items()
        for name, words in names
    ]


@transaction.atomic
def ensure_regions_and_departments() -> list[Department]:
    """Every demo and synthetic region gets one department of each kind that has items."""
    for parent, code, name, level in REGIONS:
        Region.objects.get_or_create(
            code=code, defaults={"name": name, "level": level, "parent": Region.objects.get(code=parent)}
        )
    demo_counties = ["330100", "330106", "330110", "330500", "330521"]
    codes = demo_counties + [code for _, code, _, _ in REGIONS]
    for region in Region.objects.filter(code__in=codes):
        for kind, (name, _) in DEPARTMENTS.items():
            Department.objects.get_or_create(
                code=f"{region.code}-{kind}", defaults={"name": name, "region": region}
            )
    return list(Department.objects.filter(region__code__in=codes).select_related("region").order_by("code"))


def variant_names(base: Base) -> list[str]:
    core = re.sub(r"（[^（）]*）$", "", base.name)
    return [base.name, *(core + suffix for suffix in VARIANTS)]


@dataclass
class Draft:
    item: ServiceItem
    summary: str
    life_events: list[str]


def drafts(count: int, rng: random.Random) -> Iterator[Draft]:
    """``count`` unsaved items, spread over every department, in a fixed pseudo-random order."""
    bases = demo_bases() + extra_bases()
    by_kind: dict[str, list[Base]] = {}
    for base in bases:
        by_kind.setdefault(base.dept_kind, []).append(base)
    departments = [d for d in ensure_regions_and_departments() if d.code.split("-", 1)[1] in by_kind]
    taken = set(ServiceItem.objects.values_list("code", flat=True))
    serial: dict[str, int] = {}
    for n in range(count):
        dept = departments[n % len(departments)]
        base = rng.choice(by_kind[dept.code.split("-", 1)[1]])
        name = rng.choice(variant_names(base))
        number = serial.get(dept.code, 1000)
        while f"{dept.code}-{number}" in taken:
            number += 1
        serial[dept.code] = number + 1
        yield _draft(f"{dept.code}-{number}", name, dept, base, rng)


def _draft(code: str, name: str, dept: Department, base: Base, rng: random.Random) -> Draft:
    share = REGION_SHARE_OF_DEMO_KEYWORDS if base.from_demo else 0.6
    words = rng.sample(base.keywords, k=min(len(base.keywords), rng.randint(1, 2)))
    keywords = " ".join(words) if rng.random() < share else ""
    status = ServiceItem.Status.CANCELLED if rng.random() < 0.03 else ServiceItem.Status.ACTIVE
    item = ServiceItem(
        code=code, name=name, department=dept, audience=base.audience, keywords=keywords, status=status
    )
    summary = f"申请{name}，材料齐全、符合法定形式的当场受理，可网上申请、邮寄送达。"
    return Draft(item=item, summary=summary, life_events=base.life_events)


def generate(*, count: int, seed: int = SEED) -> None:
    rng = random.Random(seed)
    events = {e.code: e for e in LifeEvent.objects.all()}
    batch: list[Draft] = []
    for draft in drafts(count, rng):
        batch.append(draft)
        if len(batch) == BATCH:
            _save(batch, events)
            batch = []
    if batch:
        _save(batch, events)


@transaction.atomic
def _save(batch: list[Draft], events: dict[str, LifeEvent]) -> None:
    items = ServiceItem.objects.bulk_create([d.item for d in batch])
    now = timezone.now()
    versions = ItemVersion.objects.bulk_create(
        [
            ItemVersion(
                item=item,
                number=1,
                state=ItemVersion.State.PUBLISHED,
                name=item.name,
                kind="promised",
                summary=d.summary,
                legal_basis=[{"law": "《中华人民共和国行政许可法》", "article": "第三十二条"}],
                channels=["online", "counter"],
                statutory_limit_days=20,
                promised_limit_days=5,
                published_at=now,
            )
            for item, d in zip(items, batch, strict=True)
        ]
    )
    for item, version in zip(items, versions, strict=True):
        item.current_version = version
    ServiceItem.objects.bulk_update(items, ["current_version"])
    links = [
        ServiceItem.life_events.through(serviceitem_id=item.pk, lifeevent_id=events[code].pk)
        for item, d in zip(items, batch, strict=True)
        for code in d.life_events
        if code in events
    ]
    ServiceItem.life_events.through.objects.bulk_create(links)
    ItemSearchIndex.objects.bulk_create(
        [index_row(item, d, events) for item, d in zip(items, batch, strict=True)]
    )


@lru_cache(maxsize=50_000)
def _tokens(text: str) -> tuple[str, ...]:
    # tokens_for treats each text separately, so caching per text gives the same list.
    return tuple(tokens_for([text]))


def _joined(texts: list[str]) -> str:
    return " ".join(t for text in texts for t in _tokens(text))


def index_row(item: ServiceItem, draft: Draft, events: dict[str, LifeEvent]) -> ItemSearchIndex:
    """The row ``search_index_item`` would write, with the texts in the same order."""
    linked = sorted(
        (events[c] for c in draft.life_events if c in events), key=lambda e: (e.audience, e.order, e.code)
    )
    names, body = search_texts(
        name=item.name,
        version_name=item.name,
        keywords=item.keywords,
        department=item.department.name,
        region=item.department.region.name,
        life_events=[e.name for e in linked],
        summary=draft.summary,
        power="",
    )
    return ItemSearchIndex(
        item=item,
        name_tokens=_joined(names),
        tokens=_joined(body),
        region_code=item.department.region.code,
        visible=item.status == ServiceItem.Status.ACTIVE,
    )


def verify_index_sample(size: int = 40) -> None:
    """Re-index a sample of synthetic items through the service; the rows must not change."""
    rng = random.Random(SEED + 1)
    ids = list(ServiceItem.objects.filter(code__regex=r"-\d{4}$").values_list("pk", flat=True))
    sample = rng.sample(ids, k=min(size, len(ids)))
    fields = ("name_tokens", "tokens", "region_code", "visible")
    before = {
        r["item_id"]: r for r in ItemSearchIndex.objects.filter(item_id__in=sample).values("item_id", *fields)
    }
    with transaction.atomic():
        for item in ServiceItem.objects.filter(pk__in=sample).select_related("department__region"):
            search_index_item(item=item)
    after = {
        r["item_id"]: r for r in ItemSearchIndex.objects.filter(item_id__in=sample).values("item_id", *fields)
    }
    if before != after:
        bad = [pk for pk in sample if before.get(pk) != after.get(pk)]
        raise SystemExit(f"bulk search rows differ from search_index_item for items {bad[:5]}")
