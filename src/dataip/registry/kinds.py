"""Kinds of registrable objects and of application materials (pure Python).

Regimes (:mod:`dataip.registry.regimes`) enable a subset of :class:`ProductKind` and list the
:class:`MaterialKind` values an application must carry. Labels for display live in
:mod:`dataip.registry.labels`, except the kinds' names, which certificates print too.
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum
from typing import Final


class ProductKind(StrEnum):
    """What is being registered (登记对象类型); each regime enables a subset."""

    DATA_COLLECTION = "data_collection"  # 数据集合
    DATA_PRODUCT = "data_product"  # 数据产品
    DATA_ALGORITHM = "data_algorithm"  # 数据算法/模型


#: Names of the kinds of registered object, (Chinese, English). Fixed here rather than taken
#: from the translation catalogue: a certificate's wording must not depend on a build step.
#: The pages and the API name kinds with the same table (:func:`dataip.registry.labels.kind`).
KIND_NAMES: Final[Mapping[str, tuple[str, str]]] = {
    ProductKind.DATA_COLLECTION: ("数据集合", "Data collection"),
    ProductKind.DATA_PRODUCT: ("数据产品", "Data product"),
    ProductKind.DATA_ALGORITHM: ("数据算法/模型", "Data algorithm / AI model"),
}


class MaterialKind(StrEnum):
    """A document an application may have to include (申请材料)."""

    APPLICATION_FORM = "application_form"  # 登记申请表
    PRODUCT_SUMMARY = "product_summary"  # 数据产品概要
    INNOVATION_EXPLANATION = "innovation_explanation"  # 实质性加工和创新说明
    SCENARIO_DESCRIPTION = "scenario_description"  # 应用场景说明
    DATA_SOURCE_PROOF = "data_source_proof"  # 数据来源证明
    POWER_OF_ATTORNEY = "power_of_attorney"  # 授权委托书 (only when an agent files)
    COMMITMENT_LETTER = "commitment_letter"  # 承诺书
    DEPOSIT_CERTIFICATE = "deposit_certificate"  # 存证证明 / 公证书
    SAMPLES = "samples"  # 数据样例
