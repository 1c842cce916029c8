"""The JSON API under /api/v1: one NinjaAPI, one router per app (each app's api.py)."""

from ninja import NinjaAPI

api = NinjaAPI(title="linli API", version="1", urls_namespace="api")
