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
    """A signed C2SP checkpoint of the tree at ``size``, with the witnesses' cosignatures
    collected for it. It is *published* once the witness quorum cosigned it (at once when the
    policy asks for no witness)."""

    size = models.BigIntegerField()
    root = models.BinaryField(max_length=32)
    note = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)
    cosignatures = models.TextField(blank=True, default="")
    cosigned = models.PositiveIntegerField(default=0)
    published = models.BooleanField(default=False)

    class Meta:
        ordering = ["-size", "-id"]
        get_latest_by = "size"

    def __str__(self) -> str:
        return f"checkpoint {self.size}"

    @property
    def signed_note(self) -> str:
        """The log's signed note with every cosignature collected."""
        return self.note + self.cosignatures


class Witness(models.Model):
    """A witness the log sends its checkpoints to (C2SP tlog-witness): usually one of the
    tables' member organizations, running `minga witness serve` on its own machine."""

    name = models.CharField(max_length=200, unique=True)
    url = models.URLField(help_text="the submission prefix: <url>/add-checkpoint")
    verifier_key = models.CharField(max_length=300)
    size = models.BigIntegerField(default=0, help_text="the latest size it cosigned")
    cosigned_at = models.DateTimeField(null=True, blank=True)
    last_error = models.CharField(max_length=300, blank=True, default="")
    added_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class WitnessPolicy(models.Model):
    """One row: how many witnesses must cosign a checkpoint before it is published."""

    quorum = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"quorum {self.quorum}"
