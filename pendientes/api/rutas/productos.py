"""Routes of this group are added by the issue that builds it."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter()
