"""The transparency log: leaves (one per domain event), stored perfect subtrees, checkpoints."""

from __future__ import annotations

from django.db import models

from minga.core.models import Event

LEVEL_SHIFT = 48  # TreeNode.id = level << 48 | index: one integer key per perfect subtree


class LogEntry(models.Model):
    """Leaf ``index`` of the log: the canonical JSON of one event (RFC 8785)."""

    index = models.BigIntegerField(unique=True)
    event = models.OneToOneField(Event, on_delete=models.PROTECT, related_name="log_entry")
    leaf = models.BinaryField()
    leaf_hash = models.BinaryField(max_length=32)
    salt = models.BinaryField(max_length=16, null=True, blank=True)

    class Meta:
        ordering = ["index"]
        verbose_name_plural = "log entries"

    def __str__(self) -> str:
        return f"leaf {self.index}"


class TreeNode(models.Model):
    """The hash of the perfect subtree over leaves ``[index·2^level, (index+1)·2^level)``."""

    id = models.BigIntegerField(primary_key=True)
    hash = models.BinaryField(max_length=32)

    def __str__(self) -> str:
        return f"node {self.id >> LEVEL_SHIFT}/{self.id & ((1 << LEVEL_SHIFT) - 1)}"


class LogState(models.Model):
    """One row: how many leaves the tree holds. The sequencer locks it while it integrates."""

    size = models.BigIntegerField(default=0)

    def __str__(self) -> str:
        return f"log of {self.size}"


class Checkpoint(models.Model):
    """A signed C2SP checkpoint of the tree at ``size``."""

    size = models.BigIntegerField()
    root = models.BinaryField(max_length=32)
    note = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-size", "-id"]
        get_latest_by = "size"

    def __str__(self) -> str:
        return f"checkpoint {self.size}"
