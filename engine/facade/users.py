"""Users, sign-in."""

from __future__ import annotations

from dataclasses import dataclass

from engine.audit import chain
from engine.audit.actions import AuditAction
from engine.errors import NotFound
from engine.facade.core import EngineCore
from engine.users import admin as user_admin
from engine.users import credentials
from engine.users import service as users
from engine.users.actors import SYSTEM, Actor


@dataclass(frozen=True)
class SignIn:
    result: users.LoginResult
    session_secret: str | None


class UsersFacade(EngineCore):
    def user_exists(self, username: str) -> bool:
        with self.db.read() as session:
            return users.find_user(session, username) is not None

    def add_user(
        self,
        username: str,
        *,
        roles: list[str],
        password: str | None = None,
        display_name: str = "",
        actor: str = SYSTEM.username,
        must_change_password: bool = False,
    ) -> None:
        self.write(
            lambda s: users.add_user(
                s,
                self.services,
                username=username,
                roles=roles,
                password=password,
                display_name=display_name,
                actor=actor,
                must_change_password=must_change_password,
            )
        )

    def authenticate(self, username: str, password: str) -> users.LoginResult:
        return self.write(
            lambda s: users.authenticate(s, self.services, username=username, password=password)
        )

    def sign_in_throttled(self, username: str, *, limit: str, refused: int, address: str) -> None:
        """Audit sign-ins refused by the web layer's attempt limits before any password check.

        ``refused`` is how many refusals this record stands for; the address is kept in the
        encrypted payload (where staff sign in from is nobody else's business).
        """
        self.write(
            lambda s: chain.append(
                s,
                self.keyring,
                occurred_at=self.clock.now(),
                actor=username[:64],
                action=AuditAction.LOGIN_THROTTLED,
                detail={"reason": f"too many attempts per {limit}", "refused": refused},
                payload={"address": address},
            )
        )

    def sign_in(self, username: str, password: str) -> SignIn:
        """Check the password and, when it is right, open a new server-side session."""

        def command(session):
            result = users.authenticate(
                session, self.services, username=username, password=password
            )
            secret = None
            if result.ok:
                user = users.find_user(session, username)
                secret = credentials.open_session(session, user, self.clock.now())
            return SignIn(result, secret)

        return self.write(command)

    def change_own_password(self, *, actor: str, current: str, new: str) -> str:
        """The person's own new password, from a signed-in browser.

        Every session and token of theirs ends (a stolen one with them) and one new session
        opens for the browser that made the change; its secret is returned for the cookie.
        """

        def command(session):
            person = self._as(session, actor)
            user_admin.change_password(
                session, self.services, actor=person, current=current, new=new
            )
            user = users.find_user(session, person.username)
            return credentials.open_session(session, user, self.clock.now())

        return self.write(command)

    def session_actor(self, secret: str) -> credentials.SessionCheck:
        """A read; the rare write it calls for (last seen, expiry) is a short one of its own."""
        now = self.clock.now()
        with self.read() as session:
            check = credentials.check_session(session, secret, now)
        if check.write:
            self.write(lambda s: credentials.record_session_check(s, secret, check, now))
        return check

    def sign_out(self, secret: str, *, actor: str) -> None:
        def command(session):
            credentials.close_session(session, secret, self.clock.now())
            chain.append(
                session,
                self.keyring,
                occurred_at=self.clock.now(),
                actor=actor,
                action=AuditAction.LOGOUT,
            )

        self.write(command)

    def create_token(self, username: str, *, name: str = "") -> str:
        """A new API token for the user; the secret is returned once and stored hashed."""

        def command(session):
            user = users.find_user(session, username)
            if user is None:
                raise NotFound(f"no user named {username!r}")
            secret = credentials.create_token(session, user, name, self.clock.now())
            chain.append(
                session,
                self.keyring,
                occurred_at=self.clock.now(),
                actor=username,
                action=AuditAction.TOKEN_CREATED,
                detail={"name": name},
            )
            return secret

        return self.write(command)

    def token_actor(self, secret: str) -> Actor | None:
        """A read; the token's last use is written at most once a minute."""
        now = self.clock.now()
        with self.read() as session:
            check = credentials.check_token(session, secret, now)
        if check.write:
            self.write(lambda s: credentials.record_token_use(s, secret, now))
        return check.actor
