"""Pages. Each view reads through ``registry.queries``; none writes a model."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from dataip.registry import queries


def home(request: HttpRequest) -> HttpResponse:
    """The public home page: live figures and the current announcements."""
    return render(
        request,
        "web/home.html",
        {
            "figures": queries.registry_figures(),
            "announcements": queries.current_announcements()[:10],
        },
    )
