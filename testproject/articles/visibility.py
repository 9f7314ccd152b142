"""Who sees what: one place, used by the views and by the comment serializer."""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet

from .models import Article, Comment


def visible_articles(user: Any) -> QuerySet[Article]:
    """Every published article, plus the user's own drafts."""
    published = Q(status=Article.Status.PUBLISHED)
    if user.is_authenticated:
        return Article.objects.filter(published | Q(author=user))
    return Article.objects.filter(published)


def visible_comments(user: Any) -> QuerySet[Comment]:
    """A comment is visible when its article is."""
    published = Q(article__status=Article.Status.PUBLISHED)
    if user.is_authenticated:
        return Comment.objects.filter(published | Q(article__author=user))
    return Comment.objects.filter(published)
