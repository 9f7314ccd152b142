import django_filters

from .models import Article, Comment


class ArticleFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=Article.Status.choices)
    author = django_filters.CharFilter(field_name="author__username")

    class Meta:
        model = Article
        fields = ["status", "author"]


class CommentFilter(django_filters.FilterSet):
    class Meta:
        model = Comment
        fields = ["article"]
