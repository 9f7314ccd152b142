"""The read side: a subscription is a GET request that stays open."""
