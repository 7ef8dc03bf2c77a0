"""Objections, both sides (异议): the objector's own objections and their decisions, the
holder's answer to each objection filed against its application, the examiners' queue of
objections to decide with their deadlines, and the evidence files behind their checks."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from dataip.errors import ValidationFailed
from dataip.registry.models.objections import ObjectionStatus
from dataip.registry.queries import objections as found
from dataip.registry.services import publicity
from dataip.registry.workflow import Role
from dataip.web.access import actor_of, applicant_required, login_required, staff_required, user_of
from dataip.web.errors import put_on_form
from dataip.web.forms import MultipleFileField, PortalForm
from dataip.web.views._common import FILES_AGAIN, download, with_deadline


class AnswerForm(PortalForm):
    """The holder's written answer to an objection, with its files."""

    statement = forms.CharField(
        label=gettext_lazy("Your answer"),
        widget=forms.Textarea(attrs={"rows": 8}),
        max_length=publicity.MAX_STATEMENT,
        help_text=gettext_lazy(
            "Answer the ground and the evidence; the examiner reads it before deciding."
        ),
    )
    evidence = MultipleFileField(
        label=gettext_lazy("Evidence files"),
        required=False,
        help_text=gettext_lazy("PDF, images, ZIP or text; at most 20 MiB each."),
    )
    confirm = forms.BooleanField(
        label=gettext_lazy("I confirm; the answer cannot be changed once sent.")
    )


@login_required
@require_GET
def mine(request: HttpRequest) -> HttpResponse:
    """My objections: each with its reference, where it stands and the decision's reasons."""
    rows = with_deadline(list(found.objections_filed_by(user_of(request))))
    return render(request, "web/objections/mine.html", {"rows": rows})


@login_required
@require_GET
def my_objection(request: HttpRequest, reference: str) -> HttpResponse:
    """One of my objections, by its reference, with the decision and its reasons."""
    objection = found.get_filed_objection(user_of(request), reference)
    row = with_deadline([objection])[0]
    return render(request, "web/objections/my_objection.html", {"row": row})


@applicant_required
@require_http_methods(["GET", "POST"])
def answer(request: HttpRequest, application_id: int, objection_id: int) -> HttpResponse:
    """An objection to the holder's application (ground, statement, evidence) and the holder's
    written answer with files, while it waits for a decision. A refused form keeps the text
    and asks for the files again."""
    actor = actor_of(request)
    objection = found.get_objection_against(actor, application_id, objection_id)
    answerable = objection.status == ObjectionStatus.PENDING and not hasattr(objection, "answer")
    form = AnswerForm(request.POST or None, request.FILES or None)
    files = request.FILES.getlist("evidence") if request.method == "POST" else []
    if request.method == "POST" and answerable and form.is_valid():
        try:
            publicity.answer_objection(
                objection.pk,
                actor=actor,
                user=user_of(request),
                statement=form.cleaned_data["statement"],
                evidence=[(f.name or "evidence", f) for f in files],
            )
        except ValidationFailed as error:
            put_on_form(form, error, {f"evidence.{i}": "evidence" for i in range(len(files))})
        else:
            messages.success(request, _("Your answer was sent to the examiner."))
            return redirect("web:answer-objection", application_id, objection.pk)
    if request.method == "POST" and not answerable:
        return render(
            request,
            "web/objections/answer.html",
            {"row": with_deadline([objection])[0], "form": None, "closed": True},
            status=409,
        )
    if form.errors and files and "evidence" not in form.errors:
        form.add_error("evidence", str(FILES_AGAIN))
    context = {
        "row": with_deadline([objection])[0],
        "form": form if answerable else None,
        "application_id": application_id,
    }
    return render(
        request, "web/objections/answer.html", context, status=422 if form.errors else 200
    )


@staff_required(Role.EXAMINER, Role.REGISTRAR)
@require_GET
def queue(request: HttpRequest) -> HttpResponse:
    """Objections waiting for a decision, the earliest due first, overdue and due-soon ones
    flagged."""
    rows = with_deadline(list(found.undecided_objections()))
    page = Paginator(rows, 50).get_page(request.GET.get("page"))
    overdue = sum(1 for r in rows if r["deadline"] == "overdue")
    due_soon = sum(1 for r in rows if r["deadline"] == "due_soon")
    context = {"page": page, "overdue": overdue, "due_soon": due_soon}
    return render(request, "web/objections/queue.html", context)


@login_required
@require_GET
def objection_file(request: HttpRequest, objection_id: int, file_id: int) -> FileResponse:
    """An evidence file of an objection: for the registry and the holder's side."""
    item = found.objection_file_for(actor_of(request), objection_id, file_id)
    return download(item.file, item.original_name, item.content_type)


@login_required
@require_GET
def answer_file(request: HttpRequest, objection_id: int, file_id: int) -> FileResponse:
    """A file of the holder's answer to an objection: for the registry and the holder's side."""
    item = found.objection_file_for(actor_of(request), objection_id, file_id, answer=True)
    return download(item.file, item.original_name, item.content_type)
