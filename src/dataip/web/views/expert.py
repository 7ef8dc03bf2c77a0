"""Experts: the reviews assigned to them and the opinion form."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from dataip.errors import NotFound, ValidationFailed, gettext_noop
from dataip.registry.kinds import ProductKind
from dataip.registry.queries.staff import assignments_of, get_seat_for
from dataip.registry.services import applications as filing
from dataip.registry.services import examination
from dataip.registry.workflow import Action, Role
from dataip.web.access import actor_of, staff_required, user_of
from dataip.web.errors import put_on_form
from dataip.web.forms import OpinionForm
from dataip.web.views._common import allowed
from dataip.web.views.declared import declared_fields


@staff_required(Role.EXPERT)
@require_GET
def reviews(request: HttpRequest) -> HttpResponse:
    """The applications this expert sits on the panel of."""
    user = user_of(request)
    return render(request, "web/reviews.html", {"seats": assignments_of(user)})


@staff_required(Role.EXPERT)
@require_http_methods(["GET", "POST"])
def review(request: HttpRequest, application_id: int) -> HttpResponse:
    """The application as the panel sees it (confidential fields and materials included),
    and the expert's opinion, which may be revised until the examiner decides."""
    actor = actor_of(request)
    seat = get_seat_for(actor, application_id)
    application = seat.application
    can_give = Action.RECORD_OPINION in allowed(application, actor)
    initial = {}
    if seat.approves is not None:
        initial = {"approves": "yes" if seat.approves else "no", "opinion": seat.opinion}
    form = OpinionForm(request.POST or None, initial=initial)
    if request.method == "POST":
        if not can_give:
            raise NotFound(gettext_noop("This application is no longer under review."))
        if form.is_valid():
            try:
                examination.record_opinion(
                    application.pk,
                    actor=actor,
                    approves=form.cleaned_data["approves"],
                    opinion=form.cleaned_data["opinion"],
                )
            except ValidationFailed as error:
                put_on_form(form, error, {"reason": "opinion"})
            else:
                messages.success(request, _("Your opinion was recorded."))
                return redirect("web:reviews")
    context = {
        "application": application,
        "seat": seat,
        "form": form,
        "can_give": can_give,
        "fields": declared_fields(application.product, ProductKind(application.product.kind)),
        "materials": filing.current_materials(application),
    }
    return render(request, "web/review.html", context, status=422 if form.errors else 200)
