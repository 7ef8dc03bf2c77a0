"""Tables of the ledger. None of them is ever updated or deleted (triggers refuse it)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class LogEntry(models.Model):
    """One leaf of the log: the canonical JSON (RFC 8785) of an event, and its leaf hash."""

    index = models.BigIntegerField(primary_key=True)
    leaf_hash = models.CharField(max_length=64, unique=True)
    body = models.TextField()
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["index"]
        verbose_name = _("log entry")
        verbose_name_plural = _("log entries")


class LogNode(models.Model):
    """The hash of one complete subtree: level L, index i covers leaves [i·2^L, (i+1)·2^L)."""

    level = models.SmallIntegerField()
    index = models.BigIntegerField()
    hash = models.CharField(max_length=64)

    class Meta:
        verbose_name = _("log tree node")
        verbose_name_plural = _("log tree nodes")
        constraints = [models.UniqueConstraint(fields=["level", "index"], name="uniq_log_node")]


class Checkpoint(models.Model):
    """A signed tree head: a C2SP checkpoint as a signed note (Ed25519)."""

    size = models.BigIntegerField(unique=True)
    root_hash = models.CharField(max_length=64)
    note = models.TextField()
    created_at = models.DateTimeField()

    class Meta:
        verbose_name = _("log checkpoint")
        verbose_name_plural = _("log checkpoints")
        ordering = ["size"]


class CheckpointTimestamp(models.Model):
    """An RFC 3161 time-stamp token over a checkpoint's note, from the configured TSA."""

    checkpoint = models.OneToOneField(
        Checkpoint, on_delete=models.PROTECT, related_name="timestamp"
    )
    token = models.BinaryField()
    tsa_url = models.CharField(max_length=300)
    created_at = models.DateTimeField()

    class Meta:
        verbose_name = _("checkpoint timestamp")
        verbose_name_plural = _("checkpoint timestamps")


class WitnessCosignature(models.Model):
    """A witness's cosignature (C2SP tlog-cosignature, ``cosignature/v1``) on a checkpoint.

    ``line`` is the verified signature line; the published checkpoint is the stored note
    followed by the lines of the configured witnesses. The witness's last cosigned size is the
    largest checkpoint it has a row for.
    """

    checkpoint = models.ForeignKey(
        Checkpoint, on_delete=models.PROTECT, related_name="cosignatures"
    )
    witness = models.CharField(max_length=300)  # the witness's cosignature vkey
    line = models.TextField()
    cosigned_at = models.DateTimeField()  # the time written in the cosignature
    created_at = models.DateTimeField()

    class Meta:
        verbose_name = _("witness cosignature")
        verbose_name_plural = _("witness cosignatures")
        constraints = [
            models.UniqueConstraint(fields=["checkpoint", "witness"], name="uniq_cosignature")
        ]


class WitnessRefusal(models.Model):
    """A witness refused a checkpoint because it is not consistent with one it cosigned
    before (or is behind it): the log may have forked, e.g. an old backup was restored and
    carried on. While a configured witness has a refusal on record the registry signs nothing.
    """

    witness = models.CharField(max_length=300)
    checkpoint_size = models.BigIntegerField()
    witness_size = models.BigIntegerField(null=True)
    reason = models.TextField()
    created_at = models.DateTimeField()

    class Meta:
        verbose_name = _("witness refusal")
        verbose_name_plural = _("witness refusals")
