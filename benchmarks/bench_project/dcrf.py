"""djangochannelsrestframework's observers, imported only when BENCH_SYSTEM=dcrf (its
signal receivers are connected as soon as these classes exist)."""

from __future__ import annotations

from typing import Any

from djangochannelsrestframework.decorators import action
from djangochannelsrestframework.generics import GenericAsyncAPIConsumer
from djangochannelsrestframework.observer import model_observer
from djangochannelsrestframework.observer.generics import ObserverModelInstanceMixin

from articles.models import Article
from articles.visibility import visible_articles

from .baselines import BenchArticleSerializer


class ArticleActivityConsumer(GenericAsyncAPIConsumer):
    """dcrf's model_observer: every change of any article, to every subscriber."""

    queryset = Article.objects.all()
    serializer_class = BenchArticleSerializer

    @model_observer(Article, serializer_class=BenchArticleSerializer)
    async def article_activity(
        self, message: Any, action: str, subscribing_request_ids: Any = (), **kwargs: Any
    ) -> None:
        for request_id in subscribing_request_ids:
            await self.reply(data=message, action=action, request_id=request_id)

    @action()
    async def subscribe_to_articles(self, request_id: Any, **kwargs: Any) -> Any:
        await self.article_activity.subscribe(request_id=request_id)
        return None, 201


class ArticleInstanceConsumer(ObserverModelInstanceMixin, GenericAsyncAPIConsumer):
    """dcrf's per-subscriber instance observer, scoped to what the user may see."""

    queryset = Article.objects.all()  # dcrf binds its observer to this model
    serializer_class = BenchArticleSerializer

    def get_queryset(self, **kwargs: Any) -> Any:
        return visible_articles(self.scope["user"])
