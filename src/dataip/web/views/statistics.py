"""The statistics bulletin (统计公报): the public page with generated prose, charts (ECharts, a
static file reading a JSON data block) and a table under each chart; its CSV downloads; the
staff's page with every amount. Figures from ``registry/queries/bulletin.py``."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django import forms
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import formats
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from dataip.registry import labels
from dataip.registry.queries.bulletin import (
    MIN_PRODUCTS,
    Amount,
    Bulletin,
    Scope,
    Share,
    Spread,
    bulletin,
)
from dataip.registry.workflow import Role
from dataip.web.access import staff_required
from dataip.web.forms import PortalForm, province_choices

STAFF = (Role.EXAMINER, Role.REGISTRAR)


class BulletinFilter(PortalForm):
    """The period (days included) and the region of the bulletin."""

    start = forms.DateField(
        label=gettext_lazy("From"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    end = forms.DateField(
        label=gettext_lazy("To"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    province = forms.ChoiceField(label=gettext_lazy("Province"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        label = self.fields["province"].label
        self.fields["province"] = forms.ChoiceField(
            label=label, required=False, choices=[("", _("All provinces")), *province_choices()]
        )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        start, end = cleaned.get("start"), cleaned.get("end")
        if start and end and end < start:
            self.add_error("end", _("The end of the period comes before its start."))
        return cleaned

    def scope(self) -> Scope:
        if not self.is_valid():
            return Scope()
        data = self.cleaned_data
        return Scope(data.get("start"), data.get("end"), data.get("province") or "")


def _named(code: str, name: Any) -> str:
    return str(name(code)) if code else _("Not given")


def money(value: Decimal | None) -> str:
    """An amount in yuan, or why it is not shown."""
    if value is None:
        return _("not published (fewer than %(n)s products)") % {"n": MIN_PRODUCTS}
    return _("%(amount)s yuan") % {"amount": formats.number_format(value, 2, force_grouping=True)}


def _days(value: Decimal | None) -> str:
    return "—" if value is None else formats.number_format(value, 1)


@dataclass
class Table:
    """A table of the bulletin: its name in the CSV link, caption, column heads and rows."""

    key: str
    caption: str
    head: list[str]
    rows: list[list[str]]


def _share_rows(items: list[Share], name: Any) -> list[list[str]]:
    return [[_named(s.code, name), str(s.count), f"{s.percent}"] for s in items]


def _spread_row(label: str, s: Spread) -> list[str]:
    return [label, str(s.count), _days(s.median), _days(s.p90)]


def amount_rows(b: Bulletin) -> list[tuple[str, str, Amount]]:
    return [
        ("licences", _("Licences (licence income)"), b.licences),
        ("trades", _("Trades on data exchanges"), b.trades),
        ("revenue", _("Data service fees"), b.revenue),
        ("pledges", _("Pledge loans"), b.pledges),
    ]


def tables(b: Bulletin) -> list[Table]:
    """Every table of the bulletin, in the page's order (each chart's table first)."""
    share_head = [_("Category"), _("Registrations"), _("Share (%)")]
    return [
        Table(
            "months",
            _("Applications accepted and registrations by month"),
            [_("Month"), _("Applications accepted"), _("Registrations")],
            [[m, str(a), str(r)] for m, a, r in b.months],
        ),
        Table(
            "industries",
            _("Registrations by industry (GB/T 4754 division)"),
            share_head,
            _share_rows(b.by_industry, labels.industry),
        ),
        Table(
            "provinces",
            _("Registrations by province"),
            share_head,
            _share_rows(b.by_province, labels.province),
        ),
        Table(
            "amounts",
            _("Amounts by kind of use"),
            [_("Kind of use"), _("Products"), _("Records"), _("Amount (yuan)")],
            [
                [
                    label,
                    str(a.products),
                    str(a.records),
                    "" if a.total is None else str(a.total),
                ]
                for _key, label, a in amount_rows(b)
            ],
        ),
        Table(
            "sections",
            _("Registrations by industry section (GB/T 4754)"),
            share_head,
            _share_rows(b.by_section, labels.section),
        ),
        Table(
            "holders",
            _("Registrations by type of holder"),
            share_head,
            _share_rows(b.by_holder_type, labels.holder_type),
        ),
        Table("kinds", _("Registrations by kind"), share_head, _share_rows(b.by_kind, labels.kind)),
        Table(
            "turnaround",
            _("Days from submission to registration, and in each stage"),
            [_("Stage"), _("Registrations"), _("Median (days)"), _("90th percentile (days)")],
            [
                _spread_row(_("Submission to registration"), b.turnaround),
                *[_spread_row(labels.status(k), v) for k, v in b.stages.items()],
            ],
        ),
        Table(
            "objections",
            _("Objections by outcome"),
            [_("Outcome"), _("Objections"), _("Share (%)")],
            _share_rows(b.objections, labels.objection_outcome),
        ),
    ]


def _period(scope: Scope) -> str:
    if scope.start and scope.end:
        return _("From %(start)s to %(end)s") % {"start": scope.start, "end": scope.end}
    if scope.start:
        return _("Since %(start)s") % {"start": scope.start}
    if scope.end:
        return _("Up to %(end)s") % {"end": scope.end}
    return _("Since the registry opened")


def prose(b: Bulletin) -> list[str]:
    """The bulletin's paragraph, sentence by sentence, in the active language."""
    region = labels.province(b.scope.province) if b.scope.province else _("all provinces")
    first = _(
        "%(period)s, in %(region)s, the registry accepted %(applications)s applications "
        "(%(enterprise)s%% filed by enterprises) and issued %(registrations)s registration "
        "certificates, for data products from %(provinces)s provinces in %(industries)s "
        "industry divisions; the three largest divisions account for %(top)s%% of them."
    ) % {
        "period": _period(b.scope),
        "region": region,
        "applications": b.applications,
        "enterprise": b.enterprise_applications.percent,
        "registrations": b.registrations,
        "provinces": b.provinces,
        "industries": b.industries,
        "top": b.top_three_industries,
    }
    second = _(
        "%(licensed)s products were licensed, for a licence income of %(licence)s; "
        "%(traded)s were traded on data exchanges, for %(trade)s; %(served)s earned data "
        "service fees of %(revenue)s. The economic value generated is %(value)s."
    ) % {
        "licensed": b.licences.products,
        "licence": money(b.licences.total),
        "traded": b.trades.products,
        "trade": money(b.trades.total),
        "served": b.revenue.products,
        "revenue": money(b.revenue.total),
        "value": money(b.economic_value),
    }
    third = _(
        "%(enterprises)s enterprises obtained pledge financing on %(pledged)s products, with "
        "loans of %(loans)s; %(share)s%% of the registrations are pledged and %(listed)s%% "
        "are listed on a data exchange. Securitisation is not recorded."
    ) % {
        "listed": b.listed.percent,
        "enterprises": b.pledging_enterprises,
        "pledged": b.pledges.products,
        "loans": money(b.pledges.total),
        "share": b.pledged.percent,
    }
    fourth = _(
        "From submission to registration took %(median)s days at the median and %(p90)s "
        "days at the 90th percentile."
    ) % {"median": _days(b.turnaround.median), "p90": _days(b.turnaround.p90)}
    return [first, second, third, fourth]


def charts(b: Bulletin) -> dict[str, Any]:
    """The data the charts draw (names already in the active language)."""
    months = b.months
    industry: list[dict[str, Any]] = [
        {"name": _named(s.code, labels.industry), "value": s.count} for s in b.by_industry[:9]
    ]
    if len(b.by_industry) > 9:
        rest = sum(s.count for s in b.by_industry[9:])
        industry.append({"name": _("Other divisions"), "value": rest})
    return {
        "trend": {
            "categories": [m for m, _a, _r in months],
            "series": [
                {"name": _("Applications accepted"), "data": [a for _m, a, _r in months]},
                {"name": _("Registrations"), "data": [r for _m, _a, r in months]},
            ],
        },
        "industries": {"items": industry},
        "provinces": {
            "categories": [_named(s.code, labels.province) for s in b.by_province],
            "values": [s.count for s in b.by_province],
            "name": _("Registrations"),
        },
        "amounts": {
            "categories": [label for _k, label, _a in amount_rows(b)],
            "values": [None if a.total is None else float(a.total) for _k, _l, a in amount_rows(b)],
            "name": _("Amount (yuan)"),
        },
    }


CHARTS = (
    ("trend", "months"),
    ("industries", "industries"),
    ("provinces", "provinces"),
    ("amounts", "amounts"),
)
"""Each chart and the table under it."""


def _page(request: HttpRequest, *, confidential: bool, template: str) -> HttpResponse:
    form = BulletinFilter(request.GET or None)
    scope = form.scope()
    b = bulletin(scope, confidential=confidential)
    all_tables = tables(b)
    by_key = {t.key: t for t in all_tables}
    context = {
        "form": form,
        "bulletin": b,
        "prose": prose(b),
        "charted": [(chart, by_key[table]) for chart, table in CHARTS],
        "other_tables": [t for t in all_tables if t.key not in dict(CHARTS).values()],
        "chart_data": charts(b),
        "query": request.GET.urlencode(),
        "min_products": MIN_PRODUCTS,
    }
    status = 422 if form.is_bound and not form.is_valid() else 200
    return render(request, template, context, status=status)


@require_GET
def statistics(request: HttpRequest) -> HttpResponse:
    """The public bulletin: figures, prose, charts and tables; amounts of fewer than
    ``MIN_PRODUCTS`` products are not published."""
    return _page(request, confidential=False, template="web/statistics.html")


@require_GET
@staff_required(*STAFF)
def staff_statistics(request: HttpRequest) -> HttpResponse:
    """The same bulletin for the registry's staff, with every amount."""
    return _page(request, confidential=True, template="web/staff_statistics.html")


@require_GET
def statistics_csv(request: HttpRequest) -> HttpResponse:
    """One table of the public bulletin as CSV (``?table=months|industries|...``)."""
    form = BulletinFilter(request.GET or None)
    if form.is_bound and not form.is_valid():
        raise Http404
    b = bulletin(form.scope())
    wanted = request.GET.get("table", "industries")
    found = next((t for t in tables(b) if t.key == wanted), None)
    if found is None:
        raise Http404
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="statistics-{found.key}.csv"'
    response.write("\ufeff")  # spreadsheet programs read UTF-8 with the mark
    writer = csv.writer(response)
    writer.writerow(found.head)
    writer.writerows(found.rows)
    return response
