"""The declaration of truthfulness (真实性声明) an applicant accepts to submit, declared once.

The text is fixed per version, in both languages, here rather than in the translation
catalogue: what an applicant accepted must not change when a translation is touched. A new
wording is a new version. Submission and resubmission refuse without the current version
(:func:`dataip.registry.services.applications.submit`), and the submission's logged event
records the version, the SHA-256 of its text and the time of acceptance.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

__all__ = ["DECLARATION", "DECLARATION_VERSION", "Declaration"]


@dataclass(frozen=True)
class Declaration:
    """One version of the declaration, in Simplified Chinese and English."""

    version: str
    text_zh: str
    text_en: str

    def text(self, english: bool) -> str:
        """The text in the language asked for."""
        return self.text_en if english else self.text_zh

    @property
    def sha256(self) -> str:
        """The SHA-256 of both texts (Chinese, a line feed, English), as UTF-8."""
        return hashlib.sha256(f"{self.text_zh}\n{self.text_en}".encode()).hexdigest()

    def record(self) -> dict[str, str]:
        """What the submission's event logs about the accepted declaration."""
        return {"version": self.version, "sha256": self.sha256}


DECLARATION = Declaration(
    version="2026-1",
    text_zh=(
        "本申请人声明：本申请所填写的事项和提交的材料真实、准确、完整，数据来源合法，"
        "不侵犯他人的合法权益；如有虚假，愿承担由此产生的一切法律责任，"
        "并接受登记机构依法撤销登记。"
    ),
    text_en=(
        "The applicant declares that the particulars given and the materials submitted in this "
        "application are true, accurate and complete, that the data was lawfully obtained and "
        "infringes no one's lawful rights, and that it bears every legal consequence of any "
        "falsehood, including the revocation of the registration by the registry."
    ),
)
"""The current declaration."""
DECLARATION_VERSION = DECLARATION.version
