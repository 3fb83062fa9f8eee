"""What a device sent while its link came and went: each submission once, by its key."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Submission(models.Model):
    """A form a person's device sent with an idempotency key, and the answer it got: sent again
    (the link dropped before the answer arrived), it gets the same answer and changes nothing."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=64)
    path = models.CharField(max_length=300)
    status = models.CharField(max_length=12, blank=True)
    answer = models.JSONField(default=dict)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "key"], name="offline_submission_once")
        ]
        verbose_name = _("submission from a device")
        verbose_name_plural = _("submissions from devices")

    def __str__(self) -> str:
        return f"{self.path} ({self.status or 'pending'})"
