"""Search tokens computed in Python (bigrams, pinyin) and indexed per database vendor."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from .items import ServiceItem


class ItemSearchIndex(models.Model):
    """One row per item; ``name_tokens`` and ``tokens`` are indexed by FTS5 (SQLite) or a GIN tsvector (PostgreSQL)."""

    item = models.OneToOneField(
        ServiceItem, on_delete=models.CASCADE, primary_key=True, related_name="search"
    )
    name_tokens = models.TextField()
    tokens = models.TextField()
    region_code = models.CharField(max_length=9, db_index=True)
    visible = models.BooleanField(default=True, db_index=True)

    class Meta:
        verbose_name = _("search index entry")

    def __str__(self) -> str:
        return f"search entry of item {self.item_id}"


class SearchMiss(models.Model):
    """A search that found nothing, so catalogue admins can add keywords."""

    query = models.CharField(_("query"), max_length=100, unique=True)
    count = models.PositiveIntegerField(_("times"), default=1)
    last_at = models.DateTimeField(_("last searched"), auto_now=True)
    resolved = models.BooleanField(_("resolved"), default=False)

    class Meta:
        ordering = ["resolved", "-count"]
        verbose_name = _("search with no result")
        verbose_name_plural = _("searches with no result")

    def __str__(self) -> str:
        return self.query
