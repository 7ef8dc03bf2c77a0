"""Saved views (已保存的视图): a staff member's named sets of queue filters, its own only."""

from __future__ import annotations

from django.db import transaction

from dataip.accounts.models import SavedView, User
from dataip.errors import FieldErrors, NotFound, gettext_noop

MAX_VIEWS = 50
"""How many views one person may keep."""


def views_of(user: User) -> list[SavedView]:
    """The person's saved views, by name."""
    return list(SavedView.objects.filter(user=user).order_by("name", "id"))


def save_view(user: User, *, name: str, query: str) -> SavedView:
    """Save the queue's filters (``query``, a query string) under ``name``; a view of the same
    name is replaced."""
    errors = FieldErrors()
    name = name.strip()
    query = query.strip().lstrip("?")
    if not name or len(name) > 80:
        errors.add("name", gettext_noop("Give the view a name of at most 80 characters."))
    if len(query) > 1000:
        errors.add("query", gettext_noop("These filters are too long to save."))
    errors.raise_if_any()
    with transaction.atomic():
        found = SavedView.objects.select_for_update().filter(user=user, name=name).first()
        if found is not None:
            found.query = query
            found.save(update_fields=["query"])
            return found
        if SavedView.objects.filter(user=user).count() >= MAX_VIEWS:
            FieldErrors.raise_one(
                "name", gettext_noop("You keep %(n)s views already: delete one first."), n=MAX_VIEWS
            )
        return SavedView.objects.create(user=user, name=name, query=query)


def delete_view(user: User, view_id: int) -> None:
    """Delete one of the person's saved views; NotFound for anyone else's."""
    deleted, _ = SavedView.objects.filter(user=user, pk=view_id).delete()
    if not deleted:
        raise NotFound(gettext_noop("No such saved view."))
