"""Users, sign-in."""

from __future__ import annotations

from dataclasses import dataclass

from engine.audit import chain
from engine.audit.actions import AuditAction
from engine.errors import NotFound
from engine.facade.core import EngineCore
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

    def session_actor(self, secret: str) -> credentials.SessionCheck:
        return self.write(lambda s: credentials.check_session(s, secret, self.clock.now()))

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
        return self.write(lambda s: credentials.actor_for_token(s, secret, self.clock.now()))
