"""Demo data (演示数据): a living registry, built by driving the real service layer.

Nothing here writes a model that carries workflow meaning: holders, drafts, materials and
every transition go through ``registry.services``, with simulated dates, so the demo registry
has the same events and ledger leaves a real one would.
"""

from __future__ import annotations

import base64
import dataclasses
import functools
import io
import random
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from django.conf import settings
from django.contrib.auth.hashers import make_password
from stdnum.cn import ric, uscc

from dataip.accounts.models import User
from dataip.registry import clock, reference
from dataip.registry.actors import actor_for
from dataip.registry.declaration import DECLARATION_VERSION
from dataip.registry.identifiers import DataSourceCode
from dataip.registry.kinds import MaterialKind, ProductKind
from dataip.registry.models import Application, Holder, HolderKind, OrganisationType
from dataip.registry.models.products import UpdateFrequency
from dataip.registry.regimes import load_regime
from dataip.registry.services import applications as filing
from dataip.registry.services import (
    changes,
    examination,
    identity,
    licensing,
    listings,
    pledges,
    publicity,
)
from dataip.registry.services.schedule import tick
from dataip.registry.workflow import SYSTEM, Actor, Status

DEMO_PASSWORD = "dataip-demo"
DEMO_TOTP_SECRET = "MRQXIYLJOBSGK3LPMRQXIYLJOBSGK3LP"
"""The demo staff's authenticator key (base32, TOTP): add it to an authenticator app to sign in
as the demo registrar, examiners or experts (real staff enrol by link; docs/accounts.md)."""

# Where each application should end up, and how often (weights).
TARGETS: dict[str, int] = {
    "draft": 5,
    "submitted": 4,
    "formal_examination": 3,
    "correction_requested": 4,
    "withdrawn_by_deadline": 2,
    "withdrawn": 2,
    "expert_review": 5,
    "approved": 2,
    "under_publicity": 8,
    "objection_review": 2,
    "rejected_formal": 2,
    "rejected_panel": 3,
    "rejected_objection": 2,
    "registered": 52,
    "registered_after_objection": 4,
}
INDUSTRY_WEIGHTS = {
    "65": 20,
    "64": 10,
    "63": 4,
    "66": 6,
    "73": 8,
    "84": 7,
    "13": 3,
    "26": 4,
    "27": 5,
    "36": 4,
    "38": 4,
    "44": 3,
    "51": 3,
    "52": 4,
    "54": 3,
    "56": 2,
    "68": 3,
    "72": 2,
    "75": 2,
    "83": 2,
    "86": 1,
    "01": 1,
    "78": 1,
    "47": 1,
}
PROVINCE_WEIGHTS = {
    "31": 30,
    "11": 12,
    "33": 10,
    "44": 12,
    "32": 8,
    "37": 4,
    "42": 4,
    "51": 4,
    "61": 2,
    "50": 2,
    "35": 3,
    "34": 2,
    "43": 2,
    "12": 2,
    "21": 1,
    "41": 2,
}
TOPICS = [
    ("城市交通出行", "urban mobility"),
    ("新能源汽车电池", "EV battery"),
    ("医学影像标注", "annotated medical imaging"),
    ("中文大模型训练语料", "Chinese LLM training corpus"),
    ("供应链物流轨迹", "supply-chain logistics tracks"),
    ("企业信用画像", "enterprise credit profiles"),
    ("工业设备运行", "industrial equipment telemetry"),
    ("气象与农业产量", "weather and crop yield"),
    ("金融市场行情指数", "financial market index"),
    ("零售消费行为", "retail consumer behaviour"),
    ("电网负荷预测", "power-grid load forecasting"),
    ("基因组变异", "genomic variants"),
    ("遥感地表覆盖", "remote-sensing land cover"),
    ("法律裁判文书结构化", "structured court judgments"),
    ("语音识别", "speech recognition"),
    ("本地生活服务知识图谱", "local-services knowledge graph"),
    ("港口集装箱作业", "port container operations"),
    ("药物分子活性", "drug molecule activity"),
]
SUFFIX = {
    ProductKind.DATA_COLLECTION: ("数据集", "dataset"),
    ProductKind.DATA_PRODUCT: ("数据产品", "data product"),
    ProductKind.DATA_ALGORITHM: ("算法模型", "model"),
}
COMPANY_WORDS = [
    "数智",
    "云图",
    "星河",
    "海纳",
    "元象",
    "深瞳",
    "智链",
    "数澜",
    "天衡",
    "量子",
    "锦程",
    "鲸准",
    "灵犀",
    "博瀚",
    "鼎信",
    "九章",
    "望舒",
    "长风",
    "明算",
    "青禾",
]
COMPANY_EN = [
    "Shuzhi",
    "Yuntu",
    "Xinghe",
    "Haina",
    "Yuanxiang",
    "Shentong",
    "Zhilian",
    "Shulan",
    "Tianheng",
    "Liangzi",
    "Jincheng",
    "Jingzhun",
    "Lingxi",
    "Bohan",
    "Dingxin",
    "Jiuzhang",
    "Wangshu",
    "Changfeng",
    "Mingsuan",
    "Qinghe",
]
PDF = b"%PDF-1.4\n% dataip demo material\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


DEMO_TERRITORIES: tuple[str | list[str], ...] = (
    "nationwide",
    ["310000"],  # 上海市
    ["310000", "320500", "330100"],  # 上海市, 江苏省苏州市, 浙江省杭州市
    ["440300"],  # 广东省深圳市
)
"""Licence territories of the demo (GB/T 2260 codes), chosen by the registration's id."""


def registry_is_empty() -> bool:
    """True when no holder or application exists yet (demo data loads only once)."""
    return not Holder.objects.exists() and not Application.objects.exists()


def _weighted(rng: random.Random, weights: dict[str, int]) -> str:
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def make_uscc(rng: random.Random, province_code2: str) -> str:
    """A Unified Social Credit Code with a valid check character (for demo holders)."""
    alphabet = "0123456789ABCDEFGHJKLMNPQRTUWXY"
    body = "91" + province_code2 + "0000" + "".join(rng.choice(alphabet) for _ in range(9))
    return body + uscc.calc_check_digit(body)


DISTRICTS = ("310101", "110101")  # districts python-stdnum knows for every birth year


def make_resident_id(rng: random.Random) -> str:
    """A resident identity number with a real district, birth date and check digit (demo only)."""
    birth = date(1960, 1, 1) + timedelta(days=rng.randrange(16000))
    body = f"{rng.choice(DISTRICTS)}{birth:%Y%m%d}{rng.randrange(1000):03d}"
    return body + ric.calc_check_digit(body + "0")  # it expects a placeholder check digit


@dataclass
class Cast:
    """The people of the demo registry."""

    registrar: User
    examiners: list[User]
    experts: list[User]
    public: list[User]
    applicants: list[User]
    banks: list[User] = dataclasses.field(default_factory=list)


@functools.cache
def _demo_password_hash() -> str:
    return make_password(DEMO_PASSWORD)  # hashed once: password hashing is slow on purpose


def _user(username: str, display: str, **flags: object) -> User:
    user = User(username=username, password=_demo_password_hash(), display_name=display)
    for name, value in flags.items():
        setattr(user, name, value)
    user.save()
    if user.is_registrar or user.is_examiner or user.is_expert:
        from django_otp.plugins.otp_totp.models import TOTPDevice

        key = base64.b32decode(DEMO_TOTP_SECRET).hex()
        TOTPDevice.objects.create(user=user, name="demo", key=key, confirmed=True)
    return user


def _cast(rng: random.Random, holders: int) -> Cast:
    registrar = _user(
        "registrar",
        "登记管理员 Registrar",
        is_registrar=True,
        is_examiner=True,
        is_staff=True,
        is_superuser=True,
    )
    examiners = [_user(f"examiner{i}", f"审查员 Examiner {i}", is_examiner=True) for i in (1, 2, 3)]
    applicants = []
    for i in range(holders):
        province = _weighted(rng, PROVINCE_WEIGHTS)
        natural = i % 12 == 11
        word, word_en = COMPANY_WORDS[i % 20], COMPANY_EN[i % 20]
        city = reference.province(province)
        holder = filing.create_holder(
            kind=HolderKind.NATURAL_PERSON if natural else HolderKind.LEGAL_PERSON,
            name=f"张{word}" if natural else f"{city.short_name_zh}{word}科技有限公司 {i + 1}号",
            name_en=f"Zhang {word_en}"
            if natural
            else f"{city.name_en} {word_en} Technology Co. {i + 1}",
            identifier=make_resident_id(rng) if natural else make_uscc(rng, province),
            province_code=province,
            contact_email=f"holder{i + 1}@example.cn",
        )
        user = _user(f"applicant{i + 1}", holder.name)
        user.holder = holder
        user.save()
        applicants.append(user)
    experts = []
    for i in range(8):
        expert = _user(f"expert{i + 1}", f"评审专家 Expert {i + 1}", is_expert=True)
        expert.holder = applicants[i].holder  # an expert employed by an applicant: conflicts apply
        expert.save()
        experts.append(expert)
    public = [_user(f"citizen{i + 1}", f"公众 Citizen {i + 1}") for i in range(5)]
    return Cast(registrar, examiners, experts, public, applicants)


class Timeline:
    """Simulated office hours: each step happens a few days after the previous one."""

    def __init__(self, rng: random.Random, start: date, today: date) -> None:
        self.rng, self.day, self.today = rng, start, today

    def at(self, days: tuple[int, int] = (1, 4)) -> datetime:
        """Advance (never past today) and return a moment during office hours, in UTC."""
        self.day = min(self.day + timedelta(days=self.rng.randint(*days)), self.today)
        moment = datetime.combine(self.day, time(1 + self.rng.randrange(8), self.rng.randrange(60)))
        return moment.replace(tzinfo=UTC)


def _product_values(rng: random.Random, kind: ProductKind, formed: date) -> dict[str, object]:
    topic, topic_en = rng.choice(TOPICS)
    suffix, suffix_en = SUFFIX[kind]
    source = rng.choice(
        [DataSourceCode.SELF_COLLECTED] * 3
        + [
            DataSourceCode.LICENSED,
            DataSourceCode.PURCHASED,
            DataSourceCode.PUBLIC_AUTHORISED_OPERATION,
        ]
    )
    if kind == ProductKind.DATA_ALGORITHM:
        detail: dict[str, object] = {
            "task": rng.choice(
                [
                    "文本分类 text classification",
                    "目标检测 object detection",
                    "时间序列预测 forecasting",
                    "推荐 recommendation",
                ]
            ),
            "architecture": rng.choice(["Transformer", "GBDT", "CNN", "Graph neural network"]),
            "parameter_count": rng.choice([12_000_000, 350_000_000, 7_000_000_000]),
            "framework": rng.choice(["PyTorch", "PaddlePaddle", "MindSpore", "XGBoost"]),
            "training_data": [f"{topic}清洗语料 cleaned {topic_en} corpus"],
            "evaluation_results": ["F1 0.91 on held-out 10%"],
            "intended_uses": f"{topic}场景的辅助决策 decision support for {topic_en}",
        }
    else:
        detail = {
            "format": rng.choice(["CSV", "Parquet", "JSON Lines", "MySQL", "GeoTIFF"]),
            "schema_summary": "主键、时间戳、指标字段 key, timestamp, measures",
            "temporal_coverage_start": (formed - timedelta(days=700)).isoformat(),
            "temporal_coverage_end": formed.isoformat(),
            "spatial_coverage": "中国大陆 Mainland China",
            "personal_information": rng.choice(["none", "de_identified", "anonymised"]),
        }
    values: dict[str, object] = {
        "name": f"{topic}{suffix}",
        "name_en": f"{topic_en.capitalize()} {suffix_en}",
        "summary": f"面向{topic}场景，经清洗、融合与标注形成的{suffix}。",
        "summary_en": f"A {suffix_en} for {topic_en}, cleaned, fused and annotated.",
        "industry_code": _weighted(rng, INDUSTRY_WEIGHTS),
        "province_code": _weighted(rng, PROVINCE_WEIGHTS),
        "data_source_type": source.value,
        "data_source_description": "自有业务系统采集及合作方授权 own systems and partner licences",
        "lawful_basis": "依据用户协议与数据授权合同取得 user agreements and licence contracts",
        "formation_date": formed.isoformat(),
        "record_count": rng.randrange(10_000, 500_000_000),
        "size_bytes": rng.randrange(10**6, 5 * 10**12),
        "structure_description": "结构化表格 structured tables of dimensions and measures",
        "update_frequency": rng.choice(UpdateFrequency.values),
        "processing_summary": "去重、脱敏、标准化 dedup, de-identification, normalisation",
        "processing_details": "规则与算法细节（保密） rules and algorithm details (confidential)",
        "application_scenarios": f"{topic}分析、风控与运营优化 analytics, risk control, operations",
        "innovation_explanation": "多源融合与质量控制体系 multi-source fusion and quality control",
        "samples_description": "100条脱敏样例 100 de-identified sample rows",
        "details": detail,
    }
    if source != DataSourceCode.SELF_COLLECTED:
        values["source_agreement_end"] = (
            formed + timedelta(days=rng.randrange(800, 2500))
        ).isoformat()
    return values


def _file_complete_draft(
    rng: random.Random, cast: Cast, user: User, kind: ProductKind, tl: Timeline
) -> Application:
    actor = actor_for(user)
    formed = tl.day - timedelta(days=rng.randrange(30, 400))
    app = filing.create_draft(
        actor=actor,
        user=user,
        kind=kind.value,
        values=_product_values(rng, kind, formed),
        at=tl.at((0, 1)),
    )
    regime = load_regime(app.regime_code)
    needed = set(regime.required_materials(filed_by_agent=False))
    if app.product.data_source_type != DataSourceCode.SELF_COLLECTED:
        needed.add(MaterialKind.DATA_SOURCE_PROOF)
    for material in sorted(needed):
        filing.add_material(
            app.pk,
            actor=actor,
            user=user,
            kind=material,
            name=f"{material}.pdf",
            content=io.BytesIO(PDF + material.encode()),
            at=tl.at((0, 0)),
        )
    return app


def _drive(rng: random.Random, cast: Cast, target: str, start: date, today: date) -> None:
    user = rng.choice(cast.applicants)
    applicant = actor_for(user)
    examiner = actor_for(rng.choice(cast.examiners))
    registrar = actor_for(cast.registrar)
    tl = Timeline(rng, start, today)
    kind = rng.choice(
        [ProductKind.DATA_COLLECTION, ProductKind.DATA_PRODUCT, ProductKind.DATA_ALGORITHM]
    )
    app = _file_complete_draft(rng, cast, user, kind, tl)
    if target == "draft":
        return
    filing.submit(app.pk, declaration=DECLARATION_VERSION, actor=applicant, at=tl.at())
    if target == "submitted":
        return
    examination.start_formal_examination(app.pk, actor=examiner, at=tl.at())
    if target == "formal_examination":
        return
    if target in {"correction_requested", "withdrawn_by_deadline"} or rng.random() < 0.15:
        examination.request_correction(
            app.pk,
            actor=examiner,
            at=tl.at(),
            reason="请补充数据来源证明材料 please add proof of the data source",
        )
        if target in {"correction_requested", "withdrawn_by_deadline"}:
            return
        filing.update_draft(
            app.pk,
            actor=applicant,
            at=tl.at(),
            values={"data_source_description": "已补充：授权链条说明 licence chain added"},
        )
        filing.resubmit(app.pk, declaration=DECLARATION_VERSION, actor=applicant, at=tl.at())
        examination.start_formal_examination(app.pk, actor=examiner, at=tl.at())
    if target == "withdrawn":
        filing.withdraw(app.pk, actor=applicant, at=tl.at(), reason="业务调整 business change")
        return
    if target == "rejected_formal":
        examination.reject(
            app.pk,
            actor=examiner,
            at=tl.at(),
            reason="原始数据未经实质加工 raw data without substantive processing",
        )
        return
    examination.pass_formal_examination(app.pk, actor=examiner, at=tl.at())
    free = [e for e in cast.experts if e.holder_id != user.holder_id]
    panel = rng.sample(free, 3)
    for expert in panel:
        examination.assign_expert(app.pk, actor=registrar, expert=expert, at=tl.at((0, 1)))
    if target == "expert_review":
        return
    approvals = (
        [False, False, True] if target == "rejected_panel" else [True, True, rng.random() < 0.8]
    )
    for expert, approves in zip(panel, approvals, strict=True):
        examination.record_opinion(
            app.pk,
            actor=actor_for(expert),
            approves=approves,
            at=tl.at(),
            opinion="具备实质性加工与创新 substantive processing shown"
            if approves
            else "创新性不足 insufficient innovation",
        )
    if target == "rejected_panel":
        examination.reject(
            app.pk, actor=examiner, at=tl.at(), reason="专家组多数意见 panel majority"
        )
        return
    examination.approve(app.pk, actor=examiner, at=tl.at(), reason="专家组通过 panel approves")
    if target == "approved":
        return
    publicity.announce(app.pk, actor=examiner, at=tl.at())
    if target in {"objection_review", "rejected_objection", "registered_after_objection"} or (
        target == "under_publicity" and rng.random() < 0.2
    ):
        citizen = rng.choice(cast.public)
        objection = publicity.file_objection(
            app.pk,
            actor=actor_for(citizen),
            user=citizen,
            ground="ownership_dispute",
            statement="该数据部分来源于本人，权属存在争议 part of the data is mine",
            at=tl.at((1, 3)),
        )
        if target in {"objection_review", "registered_after_objection"}:
            # The holder answers in writing (答辩) an hour after the objection was filed.
            publicity.answer_objection(
                objection.pk,
                actor=applicant,
                user=user,
                statement="数据均为自有系统采集，日志可查 collected by our own systems; logs kept",
                at=objection.filed_at + timedelta(hours=1),
            )
        if target == "rejected_objection":
            publicity.uphold_objection(
                objection.pk,
                actor=examiner,
                at=tl.at((1, 2)),
                reason="异议成立，来源不合法 objection upheld",
            )
            return
    if target in {"under_publicity"}:
        return
    app.refresh_from_db()
    if app.announcement_ends is None or app.announcement_ends >= today:
        return  # the announcement is still running today
    tl.day = app.announcement_ends
    if target == "objection_review":
        publicity.close_publicity(app.pk, actor=SYSTEM, at=tl.at((1, 1)))
        return
    if target == "registered":
        publicity.register(app.pk, actor=SYSTEM, at=tl.at((1, 1)))
        return
    publicity.close_publicity(app.pk, actor=SYSTEM, at=tl.at((1, 1)))
    if target == "registered_after_objection":
        pending = app.objections.get()
        publicity.dismiss_objection(
            pending.pk, actor=examiner, at=tl.at(), reason="证据不足，异议不成立 not proven"
        )


def _start_date(rng: random.Random, target: str, today: date) -> date:
    """When filing began, so that each target stage is plausible today."""
    recent = {"draft", "submitted", "formal_examination", "expert_review", "approved"}
    if target == "correction_requested":
        return today - timedelta(days=rng.randrange(8, 16))
    if target in recent:
        return today - timedelta(days=rng.randrange(20, 50))
    if target == "under_publicity":
        return today - timedelta(days=rng.randrange(33, 38))
    if target == "objection_review":
        return today - timedelta(days=rng.randrange(60, 80))
    if target == "withdrawn_by_deadline":
        return today - timedelta(days=rng.randrange(100, 300))
    return today - timedelta(days=rng.randrange(60, 365 * 3 + 200))


BANKS = [
    ("上海浦发数据银行", "Pudong Data Bank"),
    ("中国数字工商银行", "Digital ICBC"),
    ("杭州科技银行", "Hangzhou Tech Bank"),
]
EXCHANGES = [
    "上海数据交易所 Shanghai Data Exchange",
    "北京国际大数据交易所 Beijing IDX",
    "深圳数据交易所 Shenzhen Data Exchange",
]


def _banks(rng: random.Random, cast: Cast) -> None:
    for i, (name, name_en) in enumerate(BANKS, start=1):
        bank = filing.create_holder(
            kind=HolderKind.LEGAL_PERSON,
            name=name,
            name_en=name_en,
            identifier=make_uscc(rng, "31"),
            province_code="31",
        )
        bank.is_lender, bank.org_type = True, OrganisationType.BANK
        bank.save(update_fields=["is_lender", "org_type"])
        user = _user(f"bank{i}", f"{name} {name_en}")
        user.holder = bank
        user.save()
        cast.banks.append(user)


def _identity_cases(rng: random.Random, cast: Cast) -> None:
    """For the registrar's queue of organisations (主体认证): a new organisation that signed up
    with its documents and waits for verification, and a sign-up with the code of a registered
    organisation (an identity claim dispute)."""
    licence = ("营业执照.pdf", io.BytesIO(b"%PDF-1.4\n% demo business licence\n%%EOF\n"))
    authorisation = ("授权书.pdf", io.BytesIO(b"%PDF-1.4\n% demo authorisation\n%%EOF\n"))
    newco = User(username="newco", password=_demo_password_hash(), email="newco@example.cn")
    identity.sign_up(
        newco,
        kind=HolderKind.LEGAL_PERSON,
        org_type=OrganisationType.PLATFORM,
        name="浦江数据交易服务有限公司",
        name_en="Pujiang Data Trading Services",
        identifier=make_uscc(rng, "31"),
        province_code="31",
        documents={"business_licence": licence, "authorisation": authorisation},
    )
    claimed = cast.applicants[0].holder
    if claimed is None:  # every demo applicant acts for a holder
        return
    claimant = User(username="claimant", password=_demo_password_hash(), email="c@example.cn")
    identity.sign_up(
        claimant,
        kind=claimed.kind,
        org_type=OrganisationType.HOLDER,
        name=claimed.name,
        identifier=claimed.identifier,
        province_code=claimed.province_code,
        documents={"business_licence": ("执照.png", io.BytesIO(b"\x89PNG\r\n\x1a\n" + bytes(32)))},
    )


def _rights_activity(rng: random.Random, cast: Cast, today: date) -> None:
    """Licences, trades, revenue, pledges (some released, some with a request for the bank's
    consent), valuations and a few proposed transfers on registrations."""
    registered = list(
        Application.objects.filter(status=Status.REGISTERED)
        .select_related("product")
        .order_by("id")
    )
    for app in registered:
        holder_id = app.holders.values_list("holder_id", flat=True).first()
        member = next(u for u in cast.applicants if u.holder_id == holder_id)
        actor = actor_for(member)
        start = app.registered_on or today
        at = datetime.combine(min(start + timedelta(days=20), today), time(3)).replace(tzinfo=UTC)
        roll = rng.random()
        if roll < 0.45:
            licensee = rng.choice([u for u in cast.applicants if u.holder_id != holder_id])
            licensing.grant_licence(
                app.pk,
                actor=actor,
                licensee_id=licensee.holder_id or 0,
                kind=rng.choice(["ordinary", "ordinary", "exclusive"]),
                scope="数据分析与模型训练 analytics and model training",
                territory=DEMO_TERRITORIES[app.pk % len(DEMO_TERRITORIES)],
                starts=at.date(),
                ends=at.date() + timedelta(days=365),
                fee=f"{rng.randrange(5, 500) * 10_000}.00",
                at=at,
            )
        if 0.3 < roll < 0.6:
            licensing.record_trade(
                app.pk,
                actor=actor,
                exchange=rng.choice(EXCHANGES),
                contract_reference=f"DX-{app.pk:06d}",
                traded_on=at.date(),
                amount=f"{rng.randrange(10, 3000) * 10_000}.00",
                at=at,
            )
        if roll > 0.5:
            licensing.record_revenue(
                app.pk,
                actor=actor,
                period_start=start,
                period_end=at.date(),
                amount=f"{rng.randrange(1, 900) * 1000}.00",
                description="数据服务 data services",
                at=at,
            )
        if roll > 0.88:
            bank = rng.choice(cast.banks)
            pledge = pledges.pledge(
                app.pk,
                actor=actor,
                pledgee_id=bank.holder_id or 0,
                amount=f"{rng.randrange(100, 5000) * 10_000}.00",
                starts=at.date(),
                ends=at.date() + timedelta(days=730),
                contract_reference=f"ZY-{app.pk:06d}",
                at=at,
            )
            pledges.record_valuation(
                app.pk,
                actor=actor,
                method="income",
                evaluator="某资产评估公司",
                valued_on=at.date(),
                value=f"{pledge.amount * 2:.2f}",
                inputs={"discount_rate": "0.12", "years": 5},
                pledge_id=pledge.pk,
                at=at,
            )
            if roll > 0.96:
                pledges.release_pledge(
                    pledge.pk, actor=actor_for(bank), reason="贷款已清偿 repaid", at=at
                )
            elif app.pk % 2 == 0:  # the holder asks the bank's consent to a transfer
                pledges.request_consent(
                    pledge.pk,
                    actor=actor,
                    purpose="transfer",
                    note="拟转让给关联公司 a transfer to an affiliate",
                    at=at,
                )
        elif roll < 0.04:  # a transfer proposed, waiting for the assignee's confirmation
            others = [u for u in cast.applicants if u.holder_id != holder_id]
            assignee = others[app.pk % len(others)]
            changes.propose_transfer(
                app.pk,
                actor=actor,
                assignee_id=assignee.holder_id or 0,
                contract_date=at.date(),
                effective_date=at.date(),
                price=f"{(app.pk % 90 + 10) * 10_000}.00",
                at=at,
            )


# ── a data exchange: listings and a fast-lane referral (挂牌与快速通道) ─────────────────────


def _exchange_activity(rng: random.Random, cast: Cast, today: date) -> None:
    """A verified data exchange with a member (``exchange1``): two registered products listed
    on it, and one application pre-filled for the first applicant's organisation."""
    demo_exchange()
    user = User.objects.get(username="exchange1")
    actor = actor_for(user)
    registered = Application.objects.filter(status=Status.REGISTERED).order_by("id")[:2]
    for position, app in enumerate(registered, start=1):
        listed_on = min((app.registered_on or today) + timedelta(days=10), today)
        listings.list_product(
            actor=actor,
            registration_number=app.registration_number or "",
            listing_id=f"SDE-{listed_on.year}-{position:04d}",
            url=f"https://exchange.example.cn/products/{position}",
            listed_on=listed_on,
            price_model=("subscription", "per_call")[position - 1],
            description="数据产品挂牌",
        )
    first = cast.applicants[0].holder
    if first is not None:
        listings.create_referral(
            actor=actor,
            holder_identifier=first.identifier,
            kind=ProductKind.DATA_COLLECTION.value,
            values={
                "name": "交易所预填的数据产品",
                "name_en": "Product pre-filled by the exchange",
            },
            listing_reference=f"SDE-{today.year}-0099",
            listing_url="https://exchange.example.cn/products/99",
        )


# ── trade reports by a data exchange (交易所交易报送) ─────────────────────────────────────

SDE_IDENTIFIER = "91310000MA1FL1EX0B"
"""The demo's Shanghai Data Exchange (a fixed credit code, so every part of the demo that needs
the exchange finds the same one)."""


def demo_exchange() -> Holder:
    """上海数据交易所, a verified data exchange, and its member ``exchange1`` (made once)."""
    exchange, _ = Holder.objects.get_or_create(
        identifier=SDE_IDENTIFIER,
        defaults={
            "kind": HolderKind.LEGAL_PERSON,
            "name": "上海数据交易所",
            "name_en": "Shanghai Data Exchange",
            "province_code": "31",
            "org_type": OrganisationType.EXCHANGE,
        },
    )
    if not User.objects.filter(username="exchange1").exists():
        user = _user("exchange1", "上海数据交易所 Shanghai Data Exchange")
        user.holder = exchange
        user.save()
    return exchange


def _trade_reports(rng: random.Random, cast: Cast, today: date) -> None:
    """Trades the exchange reported: licences, one disputed by the holder, one withdrawn and
    reported again, and a transfer waiting for the holder's and the buyer's confirmation."""
    from dataip.errors import DomainError
    from dataip.registry.services import trade_reports

    demo_exchange()
    member = actor_for(User.objects.get(username="exchange1"))
    registered = list(
        Application.objects.filter(status=Status.REGISTERED, transfers__isnull=True)
        .exclude(pledges__status__in=["active", "proposed"])
        .distinct()
        .order_by("id")[:8]
    )
    for i, app in enumerate(registered):
        holder_id = app.holders.values_list("holder_id", flat=True).first()
        buyer = next(u for u in cast.applicants if u.holder_id not in (None, holder_id))
        assert buyer.holder is not None  # noqa: S101 - applicants act for a holder
        transfer = i == len(registered) - 1
        common: dict[str, object] = {
            "contract_reference": f"SDE-{today.year}-{app.pk:05d}",
            "traded_on": today - timedelta(days=10 + i),
            "amount": f"{rng.randrange(10, 900) * 10_000}.00",
            "buyer_name": buyer.holder.name,
            "buyer_identifier": buyer.holder.identifier,
        }
        licence = {"licence_kind": "ordinary", "starts": today, "ends": today + timedelta(days=365)}
        try:
            report = trade_reports.report_trade(
                app.registration_number or "",
                actor=member,
                kind="transfer" if transfer else "licence",
                **common,  # type: ignore[arg-type]
                **({} if transfer else licence),  # type: ignore[arg-type]
            )
        except DomainError:  # a demo registration whose state refuses it: skip it
            continue
        holder = next((u for u in cast.applicants if u.holder_id == holder_id), None)
        if i == 1 and holder is not None:
            trade_reports.dispute_trade(
                report.pk, actor=actor_for(holder), reason="合同金额与实际不符 amount differs"
            )
        if i == 2:
            trade_reports.withdraw_trade_report(report.pk, actor=member, reason="金额更正")
            trade_reports.report_trade(
                app.registration_number or "",
                actor=member,
                kind="licence",
                **{**common, "amount": "880000.00"},  # type: ignore[arg-type]
                **licence,  # type: ignore[arg-type]
            )


def build_demo(
    *, applications: int = 1200, seed: int = 2026, progress: Callable[[str], object] = print
) -> str:
    """Create holders, staff and ``applications`` applications at every stage; return a summary."""
    rng = random.Random(seed)
    cast = _cast(rng, holders=max(20, applications // 8))
    today = clock.local_date(clock.now())
    targets = [_weighted(rng, TARGETS) for _ in range(applications)]
    for number, target in enumerate(targets, start=1):
        _drive(rng, cast, target, _start_date(rng, target, today), today)
        if number % 200 == 0:
            progress(f"  {number}/{applications} applications")
    tick()  # bring everything up to today: expiries, deemed withdrawals, announcement ends
    _banks(rng, cast)
    _rights_activity(rng, cast, today)
    _identity_cases(rng, cast)
    _exchange_activity(rng, cast, today)
    _trade_reports(rng, cast, today)
    counts = Counter(Application.objects.values_list("status", flat=True))
    lines = [f"Demo registry ready ({settings.DATAIP_REGIME}): {applications} applications."]
    lines += [f"  {Status(s).value}: {n}" for s, n in sorted(counts.items())]
    lines.append(
        "Sign in as registrar / examiner1 / expert1 / applicant1 / bank1 / exchange1 / newco (its "
        "organisation pending verification) / claimant (a dispute), "
        f"password {DEMO_PASSWORD!r}; staff confirm with the authenticator key "
        f"{DEMO_TOTP_SECRET} (TOTP)."
    )
    return "\n".join(lines)


__all__ = ["DEMO_PASSWORD", "DEMO_TOTP_SECRET", "Actor", "build_demo", "registry_is_empty"]
