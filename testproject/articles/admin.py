"""The admin needs nothing for realtime: the database captures its writes (docs/log.md)."""

from __future__ import annotations

from django.contrib import admin

from .models import Article, Comment, Tag


@admin.register(Article)
class ArticleAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ["title", "status", "author", "updated_at"]
    list_filter = ["status"]


@admin.register(Comment)
class CommentAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ["text", "article", "author", "created_at"]


@admin.register(Tag)
class TagAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ["name"]
