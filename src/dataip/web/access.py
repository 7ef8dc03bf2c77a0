"""Who is asking: the workflow's actor for a request, and the doors of each part of the site.

Staff roles (examiner, registrar, expert) count only in a session verified with a TOTP device
(django-otp): until then a staff member is treated as any signed-in person, so neither a page
nor a service call grants staff powers on a password alone.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar, cast
from urllib.parse import urlencode

from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponseBase
from django.shortcuts import redirect
from django.urls import reverse

from dataip.accounts.models import User
from dataip.errors import NotFound, gettext_noop
from dataip.registry.actors import actor_for
from dataip.registry.workflow import Actor, Role

STAFF_ROLES = frozenset({Role.EXAMINER, Role.REGISTRAR, Role.EXPERT})
ANONYMOUS = Actor(user_id=None, label="anonymous")

View = TypeVar("View", bound=Callable[..., HttpResponseBase])


def signed_in_user(request: HttpRequest) -> User | None:
    """The signed-in user, or None (also for a request refused before the session was read,
    such as one for a host the site does not serve)."""
    user = getattr(request, "user", None)
    return user if isinstance(user, User) and user.is_authenticated else None


def user_of(request: HttpRequest) -> User:
    """The signed-in user of a view behind a door that requires one."""
    user = signed_in_user(request)
    if user is None:
        raise NotFound(gettext_noop("No such page."))
    return user


def is_staff_member(user: User) -> bool:
    """Whether the user has any staff role (and so must sign in with a second factor)."""
    return bool(user.is_examiner or user.is_registrar or user.is_expert or user.is_staff)


def is_verified(request: HttpRequest) -> bool:
    """Whether this session passed the TOTP check."""
    check = getattr(request.user, "is_verified", None)
    return bool(check and check())


def actor_of(request: HttpRequest) -> Actor:
    """The workflow's actor for this request; staff roles only in a verified session."""
    user = signed_in_user(request)
    if user is None:
        return ANONYMOUS
    actor = actor_for(user)
    if actor.roles & STAFF_ROLES and not is_verified(request):
        return Actor(
            user_id=actor.user_id,
            roles=actor.roles - STAFF_ROLES,
            holder_ids=actor.holder_ids,
            label=actor.label,
            viewing_holder_ids=actor.viewing_holder_ids,
        )
    return actor


def login_required(view: View) -> View:
    """Signed-in people only; others are sent to the sign-in page and back."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if signed_in_user(request) is None:
            return redirect_to_login(request.get_full_path())
        return view(request, *args, **kwargs)

    return cast(View, wrapper)


def applicant_required(view: View) -> View:
    """Signed-in people who act for a holder (an organisation or a person)."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        user = signed_in_user(request)
        if user is None:
            return redirect_to_login(request.get_full_path())
        if user.holder_id is None:
            raise NotFound(gettext_noop("This page is for applicants."))
        return view(request, *args, **kwargs)

    return cast(View, wrapper)


def staff_required(*roles: Role) -> Callable[[View], View]:
    """Staff with one of ``roles``, in a session verified with TOTP; others get 404."""

    def decorate(view: View) -> View:
        @wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
            user = signed_in_user(request)
            if user is None:
                return redirect_to_login(request.get_full_path())
            if not actor_for(user).roles & set(roles):
                raise NotFound(gettext_noop("No such page."))
            if not is_verified(request):
                query = urlencode({"next": request.get_full_path()})
                return redirect(f"{reverse('web:otp')}?{query}")
            return view(request, *args, **kwargs)

        return cast(View, wrapper)

    return decorate
