"""Names of the registry's event types (the ``type`` of a ledger leaf), in Simplified Chinese
and English. Pure Python: the offline verifier prints them, and the registry's pages and API
name the events of a history with the same table (:mod:`dataip.registry.labels`), so a court
reading ``dataip verify`` and a holder reading the history see the same words.

Workflow actions are named as the history shows them: the steps up to registration by what was
done (``submit``), the public steps (the announcement and after) and the records after
registration as what happened, in plain words (``announced to the public``, ``registered``,
``licence granted``): the public history of a registration shows these names.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Final

__all__ = ["EVENT_TYPES", "event_name"]

#: Every event type the registry writes: (Chinese, English).
EVENT_TYPES: Final[Mapping[str, tuple[str, str]]] = {
    # the procedure up to registration (registry.workflow.Action)
    "submit": ("提交了申请", "Submitted the application"),
    "start_formal_examination": ("开始了形式审查", "Started the formal examination"),
    "request_correction": ("要求补正材料", "Asked for corrections"),
    "resubmit": ("补正后重新提交了申请", "Resubmitted the application with corrections"),
    "pass_formal_examination": ("通过了形式审查", "Passed the formal examination"),
    "assign_expert": ("指派了评审专家", "Assigned an expert to the panel"),
    "record_opinion": ("提交了评审意见", "Recorded an expert opinion"),
    "approve": ("审查通过", "Approved after review"),
    "reject": ("决定不予登记", "Refused registration"),
    "announce": ("公示", "announced to the public"),
    "file_objection": ("提出异议", "objection filed"),
    "answer_objection": ("答辩异议", "objection answered by the holder"),
    "dismiss_objection": ("异议被驳回", "objection dismissed"),
    "uphold_objection": ("异议成立", "objection upheld"),
    "close_publicity": ("公示结束", "announcement closed"),
    "register": ("予以登记", "registered"),
    "withdraw": ("撤回了申请", "Withdrew the application"),
    "deem_withdrawn": ("视为撤回申请", "Deemed withdrawn"),
    "expire": ("有效期届满", "validity ended"),
    # records after registration
    "request_change": ("申请变更", "change requested"),
    "approve_change": ("变更已核准", "change approved"),
    "refuse_change": ("变更未获核准", "change refused"),
    "propose_transfer": ("提出转让", "transfer proposed"),
    "confirm_transfer": ("转让已确认", "transfer confirmed"),
    "cancel_transfer": ("转让已撤回", "transfer withdrawn"),
    "agree_to_transfer": ("转让一方已确认", "transfer confirmed by one party"),
    "decline_transfer": ("转让被拒绝", "transfer declined"),
    "grant_licence": ("授予许可", "licence granted"),
    "end_licence": ("许可终止", "licence ended"),
    "record_trade": ("记录交易", "trade recorded"),
    "pledge": ("质押登记", "pledge registered"),
    "consent": ("质权人同意", "pledgee's consent"),
    "request_consent": ("出质人征求质权人同意", "pledgee's consent requested"),
    "refuse_consent": ("质权人不同意", "pledgee's consent refused"),
    "release_pledge": ("质押解除", "pledge released"),
    "propose_pledge": ("质权人申请质押登记", "pledge proposed by the pledgee"),
    "confirm_pledge": ("出质人确认质押", "pledge confirmed by the holder"),
    "decline_pledge": ("出质人拒绝质押", "pledge declined by the holder"),
    "record_revenue": ("记录收益", "revenue recorded"),
    "record_valuation": ("记录评估", "valuation recorded"),
    "renew": ("已续展", "renewed"),
    "cancel": ("已注销", "cancelled"),
    "revoke": ("已撤销", "revoked"),
    "correct_particulars": ("登记事项已更正", "particulars corrected"),
    "reissue_certificate": ("证书已补发", "certificate re-issued"),
    "list_product": ("数据交易所挂牌", "listed on a data exchange"),
    "update_listing": ("挂牌信息更新", "listing updated"),
    "end_listing": ("数据交易所摘牌", "delisted from a data exchange"),
    "report_trade": ("数据交易所报送交易", "trade reported by a data exchange"),
    "withdraw_trade_report": ("交易报送已撤回", "trade report withdrawn"),
    "dispute_trade": ("持有人对交易报送提出异议", "trade report disputed by the holder"),
    # events outside the workflow
    "certificate_issued": ("证书已签发", "certificate issued"),
    "encumbrance_statement_issued": ("出具权利负担查询证明", "encumbrance statement issued"),
    "pledge_certificate_issued": ("出具质押登记证明", "pledge registration certificate issued"),
    "deposit": ("数据存证", "dataset deposited"),
    "ledger_key_rotation": ("更换日志签名密钥", "log signing key rotated"),
    "ledger_key_replaced": (
        "日志签名密钥遗失后更换",
        "log signing key replaced after its loss",
    ),
}


def event_name(event_type: str, lang: str) -> str:
    """The name of ``event_type`` in ``lang`` (``"zh"`` or ``"en"``); an unknown type is
    shown as its code with spaces."""
    names = EVENT_TYPES.get(event_type)
    if names is None:
        return event_type.replace("_", " ")
    return names[0] if lang == "zh" else names[1]
