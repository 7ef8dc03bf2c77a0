"""Refusals of ledger reads (bad entry index, tree size...): domain errors, never a 500.

They subclass :class:`dataip.errors.DomainError`, so the API maps them to RFC 9457
problem details like every other domain error. Messages are gettext ids in English.
"""

from __future__ import annotations

from dataip.errors import DomainError, NotFound, gettext_noop


class EntryNotFound(NotFound):
    """No log entry has this index."""

    code = "entry_not_found"

    def __init__(self, *, index: int, size: int) -> None:
        """Entry ``index`` is not in a log of ``size`` entries."""
        super().__init__(
            gettext_noop("Log entry %(index)s does not exist: the log has %(size)s entries."),
            index=index,
            size=size,
        )


class NoCheckpoint(NotFound):
    """The log has not signed any checkpoint yet."""

    code = "no_checkpoint"

    def __init__(self) -> None:
        """The log is empty or its first checkpoint is not signed yet."""
        super().__init__(gettext_noop("The log has no signed checkpoint yet."))


class CheckpointNotFound(NotFound):
    """No stored checkpoint has this tree size."""

    code = "checkpoint_not_found"

    def __init__(self, *, size: int) -> None:
        """The log stored no checkpoint of ``size`` entries."""
        super().__init__(
            gettext_noop(
                "No checkpoint of tree size %(size)s is stored: "
                "list the stored checkpoints at /api/v1/log/checkpoints."
            ),
            size=size,
        )


class BadParameter(DomainError):
    """A size, index or range that the log cannot answer for."""

    code = "bad_parameter"
    http_status = 422


def check_tree_size(tree_size: int, size: int, *, name: str = "treeSize") -> None:
    """Refuse a tree size beyond the log's current size."""
    if tree_size > size:
        raise BadParameter(
            gettext_noop("%(name)s %(tree_size)s is larger than the log (%(size)s entries)."),
            name=name,
            tree_size=tree_size,
            size=size,
        )


def check_index_in_tree(index: int, tree_size: int) -> None:
    """Refuse an entry index that is not below the tree size."""
    if index >= tree_size:
        raise BadParameter(
            gettext_noop("Entry %(index)s is not in a tree of %(tree_size)s entries."),
            index=index,
            tree_size=tree_size,
        )


def check_sizes(first: int, last: int) -> None:
    """A consistency proof needs ``0 < first <= last``."""
    if first < 1:
        raise BadParameter(gettext_noop("firstSize must be at least 1."))
    if first > last:
        raise BadParameter(
            gettext_noop("firstSize (%(first)s) must not be larger than lastSize (%(last)s)."),
            first=first,
            last=last,
        )


def check_range(start: int, end: int | None, size: int, limit: int) -> int:
    """The end of a range request ``[start, end)``, cut to the log; refuse bad ranges."""
    if end is not None and end <= start:
        raise BadParameter(
            gettext_noop("end (%(end)s) must be greater than start (%(start)s)."),
            end=end,
            start=start,
        )
    if end is not None and end - start > limit:
        raise BadParameter(
            gettext_noop("Ask for at most %(limit)s entries at a time."), limit=limit
        )
    if start > size:
        raise EntryNotFound(index=start, size=size)
    return min(size, start + limit if end is None else end)
