"""The registry's rules and reference data, for staff (登记规则与参考数据).

Regimes (one TOML file per region) and the GB/T 4754 / GB/T 2260 tables ship with the
software and change through a release, reviewed like code; this page shows them as they are in
force, so a registrar can check them without reading files.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from dataip.registry import reference
from dataip.registry.regimes import all_regimes
from dataip.registry.workflow import Role
from dataip.web.access import staff_required


@staff_required(Role.EXAMINER, Role.REGISTRAR)
@require_GET
def rules(request: HttpRequest) -> HttpResponse:
    """Every regime's settings with their sources, the industries and the provinces."""
    return render(
        request,
        "web/rules.html",
        {
            "regimes": sorted(all_regimes().values(), key=lambda r: r.code),
            "sections": reference.sections(),
            "industries": reference.industries(),
            "provinces": reference.provinces(),
        },
    )
