"""The API's base models and the envelope every answer comes in."""

from __future__ import annotations

from typing import Generic, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field

T = TypeVar("T")


class Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Open(BaseModel):
    """Answers may carry more fields in later versions."""

    model_config = ConfigDict(extra="allow")


# --- the envelope --------------------------------------------------------------------------


class ErrorBody(Open):
    type: str = Field(description="The error's class, e.g. NotFoundError.")
    message: str = Field(description="What is wrong and what to do, in one paragraph.")
    details: list[str] = Field(default_factory=list)


class Envelope(Open, Generic[T]):
    """Every answer: ``ok``; ``data`` when ok; ``error`` when not; ``next`` on paged lists."""

    ok: bool
    status: int = Field(description="The HTTP status, repeated for clients that lose it.")
    data: T | None = None
    next: str | None = Field(
        default=None, description="Token for the next page (pass it as ?next=); null at the end."
    )
    total: int | None = Field(default=None, description="Matching items over all pages.")
    error: ErrorBody | None = None


class ErrorEnvelope(Open):
    ok: Literal[False]
    status: int
    error: ErrorBody
