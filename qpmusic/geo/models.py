"""The cities of the network; data, so another city network can reuse qpmusic."""

from sqlalchemy import Float, String
from sqlalchemy.orm import Mapped, mapped_column

from qpmusic.extensions import db


class City(db.Model):
    __tablename__ = "city"

    id: Mapped[int] = mapped_column(primary_key=True)
    name_de: Mapped[str] = mapped_column(String(80))
    name_fr: Mapped[str] = mapped_column(String(80))
    name_en: Mapped[str] = mapped_column(String(80))
    name_lb: Mapped[str | None] = mapped_column(String(80))
    country: Mapped[str] = mapped_column(String(2))
    latitude: Mapped[float] = mapped_column(Float)
    longitude: Mapped[float] = mapped_column(Float)

    def name(self, language: str) -> str:
        return getattr(self, f"name_{language}", None) or self.name_en
