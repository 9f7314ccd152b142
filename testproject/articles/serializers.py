from __future__ import annotations

from typing import Any

from rest_framework import serializers

from .models import Article, Comment, Tag
from .visibility import visible_articles


class ArticleSerializer(serializers.HyperlinkedModelSerializer):
    author = serializers.ReadOnlyField(source="author.username")
    tags = serializers.SlugRelatedField(
        many=True, slug_field="name", queryset=Tag.objects.all(), required=False
    )
    # A per-user field: the same article reads differently for its author and for others.
    is_mine = serializers.SerializerMethodField()

    class Meta:
        model = Article
        fields = [
            "id", "url", "title", "body", "status", "author", "tags", "is_mine", "created_at",
            "updated_at",
        ]  # fmt: skip
        extra_kwargs = {"url": {"view_name": "article-detail"}}

    def get_is_mine(self, obj: Article) -> bool:
        request = self.context.get("request")
        return bool(request and obj.author_id == request.user.pk)


class VisibleArticleField(serializers.PrimaryKeyRelatedField):
    """Commenting is allowed on the articles the commenter can see, and only those."""

    def get_queryset(self) -> Any:
        return visible_articles(self.context["request"].user)


class CommentSerializer(serializers.HyperlinkedModelSerializer):
    article = VisibleArticleField()
    author = serializers.ReadOnlyField(source="author.username")

    class Meta:
        model = Comment
        fields = ["id", "url", "article", "author", "text", "created_at"]
        extra_kwargs = {"url": {"view_name": "comment-detail"}}

    def update(self, instance: Comment, validated_data: dict[str, Any]) -> Comment:
        validated_data.pop("article", None)  # a comment stays on its article
        return super().update(instance, validated_data)


class TagSerializer(serializers.ModelSerializer):
    class Meta:
        model = Tag
        fields = ["id", "name"]
