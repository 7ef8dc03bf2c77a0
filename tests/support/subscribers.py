"""Bind other subscribers to the workflow's consequences for the length of a test."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager

from dataip.registry.services.transition import Subscriber, bind_subscribers, bound_subscribers
from dataip.registry.workflow import Consequence


@contextmanager
def subscribers_bound(table: Mapping[Consequence, Subscriber]) -> Iterator[None]:
    """Inside, ``table`` replaces the subscribers of its consequences; afterwards, as before."""
    before = dict(bound_subscribers())
    bind_subscribers({**before, **table})
    try:
        yield
    finally:
        bind_subscribers(before)
