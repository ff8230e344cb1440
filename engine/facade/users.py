"""Users, sign-in."""

from __future__ import annotations

from engine.facade.core import EngineCore
from engine.users import commands as user_commands
from engine.users import credentials
from engine.users import service as users
from engine.users.actors import SYSTEM, Actor
from engine.users.commands import SignIn


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
        self.run(
            users.add_user,
            actor=actor,
            username=username,
            roles=roles,
            password=password,
            display_name=display_name,
            must_change_password=must_change_password,
        )

    def authenticate(self, username: str, password: str) -> users.LoginResult:
        return self.run(users.authenticate, username=username, password=password)

    def sign_in_throttled(self, username: str, *, limit: str, refused: int, address: str) -> None:
        self.run(
            user_commands.record_sign_in_throttled,
            username=username,
            limit=limit,
            refused=refused,
            address=address,
        )

    def sign_in(self, username: str, password: str) -> SignIn:
        return self.run(user_commands.sign_in, username=username, password=password)

    def change_own_password(self, *, actor: str, current: str, new: str) -> str:
        return self.run(user_commands.change_own_password, actor=actor, current=current, new=new)

    def session_actor(self, secret: str) -> credentials.SessionCheck:
        """A read; the rare write it calls for (last seen, expiry) is a short one of its own."""
        now = self.clock.now()
        with self.read() as session:
            check = credentials.check_session(session, secret, now)
        if check.write:
            self.run(user_commands.touch_session, secret=secret, check=check, now=now)
        return check

    def sign_out(self, secret: str, *, actor: str) -> None:
        self.run(user_commands.sign_out, username=actor, secret=secret)

    def create_token(self, username: str, *, name: str = "") -> str:
        return self.run(user_commands.create_token, username=username, name=name)

    def token_actor(self, secret: str) -> Actor | None:
        """A read; the token's last use is written at most once a minute."""
        now = self.clock.now()
        with self.read() as session:
            check = credentials.check_token(session, secret, now)
        if check.write:
            self.run(user_commands.touch_token, secret=secret, now=now)
        return check.actor
