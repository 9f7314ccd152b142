from __future__ import annotations

from typing import Any

from django.contrib import admin

from django_realtime import announce_changes

from .models import Article, Comment


class RealtimeAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    """Changes made in the admin reach subscribers too (see docs/emit.md)."""

    def changeform_view(self, *args: Any, **kwargs: Any) -> Any:
        with announce_changes():
            return super().changeform_view(*args, **kwargs)

    def changelist_view(self, *args: Any, **kwargs: Any) -> Any:
        with announce_changes():  # list_editable saves and the bulk delete action
            return super().changelist_view(*args, **kwargs)

    def delete_view(self, *args: Any, **kwargs: Any) -> Any:
        with announce_changes():
            return super().delete_view(*args, **kwargs)


@admin.register(Article)
class ArticleAdmin(RealtimeAdmin):
    list_display = ["title", "status", "author", "updated_at"]
    list_filter = ["status"]


@admin.register(Comment)
class CommentAdmin(RealtimeAdmin):
    list_display = ["text", "article", "author", "created_at"]
