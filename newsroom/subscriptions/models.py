"""The service's tables. Every change to them is an Alembic migration (migrations/versions/).

Personal data lives in `subscriber` and the rows that cascade from it; deleting a subscriber
deletes them all, and with the subscriber's own `key` every hash made with it (`consent`, the
keyed hashes in git) can no longer be linked to the person.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

PRESS, CITIZEN = "presse", "buerger"
KINDS = (PRESS, CITIZEN)
IMMEDIATE, DAILY, WEEKLY = "sofort", "taeglich", "woechentlich"
FREQUENCIES = (IMMEDIATE, DAILY, WEEKLY)
PENDING, ACTIVE, PAUSED, SUSPENDED, UNSUBSCRIBED = "pending", "active", "paused", "suspended", "unsubscribed"
STATUSES = (PENDING, ACTIVE, PAUSED, SUSPENDED, UNSUBSCRIBED)
THEMA, AMT, BEZIRK = "thema", "amt", "bezirk"
DIMENSIONS = (THEMA, AMT, BEZIRK)
ALL = "alle"
EMAIL_MAX = 254  # RFC 5321's path limit


class Base(DeclarativeBase):
    pass


class Subscriber(Base):
    __tablename__ = "subscriber"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    email: Mapped[str] = mapped_column(String(EMAIL_MAX), unique=True)  # casefolded
    key: Mapped[str] = mapped_column(String(64))  # random; keys this person's hashes, erased with the row
    kind: Mapped[str] = mapped_column(String(16))
    name: Mapped[str | None] = mapped_column(String(120))
    medium: Mapped[str | None] = mapped_column(String(120))
    frequency: Mapped[str] = mapped_column(String(16), default=IMMEDIATE)
    status: Mapped[str] = mapped_column(String(16), default=PENDING, index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    confirmed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    changed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    bounces: Mapped[int] = mapped_column(Integer, default=0)
    complaints: Mapped[int] = mapped_column(Integer, default=0)

    selections: Mapped[list[Selection]] = relationship(back_populates="subscriber", cascade="all, delete-orphan",
                                                       passive_deletes=True, order_by="Selection.dimension")


class Selection(Base):
    __tablename__ = "selection"

    subscriber_id: Mapped[int] = mapped_column(ForeignKey("subscriber.id", ondelete="CASCADE"), primary_key=True)
    dimension: Mapped[str] = mapped_column(String(16), primary_key=True)
    value: Mapped[str] = mapped_column(String(120), primary_key=True)

    subscriber: Mapped[Subscriber] = relationship(back_populates="selections")


class Consent(Base):
    """What a person agreed to (or withdrew), when, to which wording and how (DSGVO Art. 7 (1)).
    No foreign key: the record outlives an erasure, then linked to nobody."""

    __tablename__ = "consent"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    subscriber_ref: Mapped[str] = mapped_column(String(64), index=True)  # keys.subscriber_ref
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    action: Mapped[str] = mapped_column(String(16))
    scope: Mapped[str] = mapped_column(Text)  # JSON: kind, selections, frequency
    wording_version: Mapped[str] = mapped_column(String(160))
    method: Mapped[str] = mapped_column(String(32))
    client: Mapped[str | None] = mapped_column(String(32))  # keys.client_hash, never the address


class UsedToken(Base):
    """Single-use links (a confirmation, an erasure) once used; removed after they expire."""

    __tablename__ = "used_token"

    jti: Mapped[str] = mapped_column(String(32), primary_key=True)
    used_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)


class Delivery(Base):
    """One subscriber's state for one mail of the publish run: `story:<key>`, `digest:<frequency>:<period>`,
    the Pressedienst's `digest:presse:<frequency>:<period>` or a crisis message's `alle:krise-<id>…`."""

    __tablename__ = "delivery"

    subscriber_id: Mapped[int] = mapped_column(ForeignKey("subscriber.id", ondelete="CASCADE"), primary_key=True)
    item: Mapped[str] = mapped_column(String(160), primary_key=True, index=True)
    status: Mapped[str] = mapped_column(String(16))  # sending, sent, refused, deferred, uncertain
    run: Mapped[str] = mapped_column(String(120))
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class Rate(Base):
    """Requests per bucket (a keyed hash of an address or a client) and time window, shared by every instance."""

    __tablename__ = "rate"

    bucket: Mapped[str] = mapped_column(String(64), primary_key=True)
    window: Mapped[int] = mapped_column(Integer, primary_key=True)  # start, in seconds since the epoch
    count: Mapped[int] = mapped_column(Integer, default=0)


class Bounce(Base):
    """A delivery or complaint report about one subscriber (a report read twice counts once)."""

    __tablename__ = "bounce"
    __table_args__ = (UniqueConstraint("subscriber_id", "report"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    subscriber_id: Mapped[int] = mapped_column(ForeignKey("subscriber.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(16))  # hard, soft, complaint
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    report: Mapped[str] = mapped_column(String(64))  # hash of the report's Message-ID
