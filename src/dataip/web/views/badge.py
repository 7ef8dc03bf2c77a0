"""The display widget (展示徽章): an embeddable badge of a public registration.

* ``/registry/<number>/badge.svg`` — an SVG image (``?lang=zh|en``, Chinese by default):
  the registration number, the holders, the status (and a pledge standing) and the validity.
  No script, no style sheet, no external reference, every text escaped; CJK fonts first in
  the font list. Works as an ``<img>`` under any embedder's CSP that allows our origin.
* ``/registry/<number>/badge.html`` — the same badge in a page made to be framed
  (``frame-ancestors *``, no script), linking to the verification page.
* ``/registry/<number>/embed`` — for platforms: the preview and the snippets to copy.

Both badges are cached: a strong ``ETag`` over the bytes (``If-None-Match`` → 304) and
``Cache-Control: public, max-age=300``. An unknown or unpublished number is a plain 404.
"""

from __future__ import annotations

import hashlib
import unicodedata
from dataclasses import dataclass

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.clickjacking import xframe_options_exempt
from django.views.decorators.http import require_GET

from dataip.registry import labels
from dataip.registry.models import Application
from dataip.registry.queries.public import public_application, public_record

MAX_AGE = 300
WIDTH = 400
TEXT_WIDTH = 372
FONT_SIZE = 13
FONTS = (
    "'Noto Sans CJK SC', 'Source Han Sans SC', 'PingFang SC', 'Microsoft YaHei', "
    "'WenQuanYi Micro Hei', 'Noto Sans', Arial, sans-serif"
)
COLOURS = {
    "registered": "#1a7f37",
    "pledged": "#9a6700",
    "under_publicity": "#0969da",
    "objection_review": "#0969da",
    "expired": "#57606a",
    "cancelled": "#cf222e",
    "revoked": "#cf222e",
}
SVG_POLICY = "default-src 'none'; style-src 'none'; frame-ancestors 'none'"
FRAME_POLICY = (
    "default-src 'none'; img-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors *"
)


def _width(text: str) -> float:
    """The width of ``text`` in ems, roughly: wide (CJK) characters 1, others 0.6."""
    return sum(1.0 if unicodedata.east_asian_width(c) in "WF" else 0.6 for c in text)


def fit(text: str, pixels: float = TEXT_WIDTH, size: int = FONT_SIZE) -> str:
    """``text`` cut (with an ellipsis) to fit ``pixels`` at ``size``."""
    room = pixels / size
    if _width(text) <= room:
        return text
    while text and _width(text) > room - 1:
        text = text[:-1]
    return text + "…"


def language_of(request: HttpRequest) -> str:
    """The badge's language: ``?lang=en`` English, anything else Chinese."""
    return "en" if request.GET.get("lang", "zh") == "en" else "zh-hans"


@dataclass(frozen=True)
class Badge:
    """What a badge shows, in one language."""

    number: str
    heading: str
    status: str
    colour: str
    holders: str
    validity: str
    alt: str


def badge_of(application: Application) -> Badge:
    """The badge of a public registration, in the active language."""
    record = public_record(application)
    number = application.registration_number or application.number or ""
    status = labels.status(application.status)
    key = application.status
    if record.under_pledge and application.status == "registered":
        status = f"{status} · {_('Under pledge')}"
        key = "pledged"
    holders = "、".join(name for name, _share in record.holders)
    if application.valid_from and application.valid_until:
        validity = f"{application.valid_from:%Y-%m-%d} – {application.valid_until:%Y-%m-%d}"
    else:
        validity = "—"
    alt = _("Data IP registration %(number)s: %(status)s. Holders: %(holders)s.") % {
        "number": number,
        "status": status,
        "holders": holders,
    }
    heading = _("Data IP registration")
    return Badge(
        number=number,
        heading=heading,
        status=fit(status, TEXT_WIDTH - 16 - _width(heading) * FONT_SIZE),
        colour=COLOURS.get(key, "#57606a"),
        holders=fit(f"{_('Holders')}: {holders}"),
        validity=fit(f"{_('Valid')}: {validity}"),
        alt=alt,
    )


def _etag(content: bytes) -> str:
    return '"' + hashlib.sha256(content).hexdigest()[:40] + '"'


def _matches(if_none_match: str, etag: str) -> bool:
    """Whether If-None-Match names ``etag`` (the weak comparison RFC 9110 asks for here)."""
    tags = {tag.strip().removeprefix("W/") for tag in if_none_match.split(",")}
    return "*" in tags or etag in tags


def cached(request: HttpRequest, content: bytes, content_type: str, policy: str) -> HttpResponse:
    """``content`` with a strong ETag and public caching, or 304 if the client has it."""
    etag = _etag(content)
    if _matches(request.headers.get("If-None-Match", ""), etag):
        response = HttpResponse(status=304)
    else:
        response = HttpResponse(content, content_type=content_type)
    response["ETag"] = etag
    response["Cache-Control"] = f"public, max-age={MAX_AGE}"
    response["Content-Security-Policy"] = policy
    response["Cross-Origin-Resource-Policy"] = "cross-origin"
    return response


def _urls(request: HttpRequest, application: Application, language: str) -> dict[str, str]:
    """Where the badge's files are, and where it links: the verification page of a
    registration (of an announced application, its public page)."""
    lang = "en" if language == "en" else "zh"
    number = application.registration_number or application.number or ""
    page = reverse("web:registration", kwargs={"number": number})
    base = {
        "verify": reverse("web:verify-number", kwargs={"number": number})
        if application.registration_number
        else page,
        "svg": reverse("web:badge-svg", kwargs={"number": number}) + f"?lang={lang}",
        "html": reverse("web:badge-html", kwargs={"number": number}) + f"?lang={lang}",
        "page": page,
    }
    return {name: request.build_absolute_uri(url) for name, url in base.items()}


@require_GET
def badge_svg(request: HttpRequest, number: str) -> HttpResponse:
    """The badge as an SVG image."""
    application = public_application(number)
    with translation.override(language_of(request)):
        badge = badge_of(application)
        content = render_to_string(
            "web/badge/badge.svg", {"badge": badge, "fonts": FONTS, "width": WIDTH}
        ).encode()
    return cached(request, content, "image/svg+xml; charset=utf-8", SVG_POLICY)


@xframe_options_exempt
@require_GET
def badge_html(request: HttpRequest, number: str) -> HttpResponse:
    """The badge in a page made to be framed by any site (no script)."""
    application = public_application(number)
    language = language_of(request)
    with translation.override(language):
        badge = badge_of(application)
        urls = _urls(request, application, language)
        content = render_to_string(
            "web/badge/frame.html",
            {"badge": badge, "urls": urls, "width": WIDTH, "lang": language},
        ).encode()
    return cached(request, content, "text/html; charset=utf-8", FRAME_POLICY)


@require_GET
def embed(request: HttpRequest, number: str) -> HttpResponse:
    """For platforms: the badge's preview and the snippets to copy, in the user's language."""
    application = public_application(number)
    language = "en" if labels.is_english() else "zh-hans"
    badge = badge_of(application)
    urls = _urls(request, application, language)
    image = render_to_string(
        "web/badge/snippet_img.html", {"badge": badge, "urls": urls, "width": WIDTH}
    ).strip()
    frame = render_to_string(
        "web/badge/snippet_frame.html", {"badge": badge, "urls": urls, "width": WIDTH}
    ).strip()
    context = {
        "application": application,
        "badge": badge,
        "urls": urls,
        "image_snippet": image,
        "frame_snippet": frame,
        "width": WIDTH,
    }
    return render(request, "web/badge/embed.html", context)
