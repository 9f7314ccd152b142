"""Twins of the testproject's Article and Tag that nothing captures: what "realtime off"
writes in benchmarks/fanout.py's scenario (c). Same columns, indexes and relations, other
tables, so the only difference is the capture (and the ring after the commit)."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class PlainTag(models.Model):
    name = models.SlugField(max_length=50, unique=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class PlainArticle(models.Model):
    title = models.CharField(max_length=200)
    body = models.TextField(blank=True)
    status = models.CharField(max_length=10, default="draft")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    tags = models.ManyToManyField(PlainTag, related_name="articles", blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.title
