"""/api/v1/reviews, /improvement-plans, /actions and /surveys: the review register, service
improvement plans with their actions, and customer satisfaction (SLM5) — one module per
concern, assembled here into one router in the order its routes are matched."""

from __future__ import annotations

from fastapi import APIRouter

from servicelevel.api.routers.reviews import meetings, plans, surveys

router = APIRouter()
for module in (meetings, plans, surveys):
    router.include_router(module.router)
