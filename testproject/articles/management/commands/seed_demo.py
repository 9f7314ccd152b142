"""Create the demo users and a few articles. Safe to run again: it changes nothing twice."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand
from rest_framework.authtoken.models import Token

from articles.models import Article

DEMO_USERS = {"alice": "alice-password", "bob": "bob-password"}

DEMO_ARTICLES = [
    ("alice", "Hello, realtime", "Subscribe to /api/articles/ and watch this list.", "published"),
    ("alice", "Alice's draft", "Only Alice sees this until she publishes it.", "draft"),
    ("bob", "Bob's first post", "Comments arrive live too.", "published"),
    ("bob", "Bob's draft", "Bob's eyes only.", "draft"),
]


class Command(BaseCommand):
    help = "Create the demo users alice and bob, their API tokens, and a few articles."

    def handle(self, *args: Any, **options: Any) -> None:
        user_model = get_user_model()
        users = {}
        for username, password in DEMO_USERS.items():
            user, _ = user_model.objects.get_or_create(username=username)
            if not user.check_password(password):
                user.set_password(password)
                user.save(update_fields=["password"])
            users[username] = user
            token, _ = Token.objects.get_or_create(user=user)
            self.stdout.write(f"user {username:6} password {password:15} token {token.key}")
        for author, title, body, status in DEMO_ARTICLES:
            Article.objects.get_or_create(
                title=title, author=users[author], defaults={"body": body, "status": status}
            )
        self.stdout.write(f"{Article.objects.count()} articles in the database.")
