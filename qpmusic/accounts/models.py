"""People who use qpmusic and the invitations that bring staff in."""

import secrets

from flask_login import UserMixin
from sqlalchemy import Enum, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from qpmusic.enums import Language, Role
from qpmusic.extensions import db
from qpmusic.timestamps import UTCDateTime, utcnow


def new_auth_token() -> str:
    return secrets.token_urlsafe(24)


role_enum = Enum(Role, name="role", values_callable=lambda e: [m.value for m in e])


class User(UserMixin, db.Model):
    __tablename__ = "user"

    id: Mapped[int] = mapped_column(primary_key=True)
    # Stored lower-cased, so the unique constraint is case-insensitive on every database.
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(120), default="")
    password_hash: Mapped[str | None] = mapped_column(String(255))
    language: Mapped[str] = mapped_column(String(2), default=Language.DE.value)
    # Changing it ends every session and remember-me cookie of the account.
    auth_token: Mapped[str] = mapped_column(String(64), unique=True, default=new_auth_token)
    email_verified_at = mapped_column(UTCDateTime())
    created_at = mapped_column(UTCDateTime(), default=utcnow, nullable=False)
    last_login_at = mapped_column(UTCDateTime())
    active: Mapped[bool] = mapped_column(default=True)
    # Set when the person deleted their account: the row stays, anonymised and unable to log in,
    # so applications, reviews and the audit log keep pointing at something.
    deleted_at = mapped_column(UTCDateTime())
    city_id: Mapped[int | None] = mapped_column(ForeignKey("city.id"))

    city = relationship("City")
    role_rows: Mapped[list["UserRole"]] = relationship(
        back_populates="user", cascade="all, delete-orphan", lazy="selectin"
    )

    def get_id(self) -> str:
        return self.auth_token

    @property
    def is_active(self) -> bool:
        return self.active

    @property
    def roles(self) -> set[Role]:
        return {row.role for row in self.role_rows}

    def has_role(self, *roles: Role) -> bool:
        return bool(self.roles.intersection(roles))

    @property
    def email_verified(self) -> bool:
        return self.email_verified_at is not None

    @property
    def display_name(self) -> str:
        return self.name or self.email


class UserRole(db.Model):
    __tablename__ = "user_role"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("user.id", ondelete="CASCADE"), primary_key=True
    )
    role: Mapped[Role] = mapped_column(role_enum, primary_key=True)

    user: Mapped[User] = relationship(back_populates="role_rows")


class Invitation(db.Model):
    """A staff account offered by an admin; the link in its e-mail carries ``nonce``."""

    __tablename__ = "invitation"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), index=True)
    role: Mapped[Role] = mapped_column(role_enum)
    language: Mapped[str] = mapped_column(String(2), default=Language.DE.value)
    city_id: Mapped[int | None] = mapped_column(ForeignKey("city.id"))
    # Jurors and coordinators are invited for one edition's jury; accepting makes them members.
    edition_id: Mapped[int | None] = mapped_column(ForeignKey("edition.id", ondelete="CASCADE"))
    invited_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    nonce: Mapped[str] = mapped_column(String(64), default=new_auth_token)
    created_at = mapped_column(UTCDateTime(), default=utcnow, nullable=False)
    expires_at = mapped_column(UTCDateTime(), nullable=False)
    accepted_at = mapped_column(UTCDateTime())
    revoked_at = mapped_column(UTCDateTime())

    city = relationship("City")
    edition = relationship("Edition")
    invited_by = relationship("User")

    @property
    def is_pending(self) -> bool:
        return self.accepted_at is None and self.revoked_at is None and self.expires_at > utcnow()
