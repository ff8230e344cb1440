"""The Flask application factory: wiring only; each area lives in its own blueprint."""

from __future__ import annotations

from flask import Flask, g, request

from engine.runtime import Engine
from engine.users.passwords import MIN_LENGTH
from webapp import errors, formatting, i18n, request_input
from webapp.forms.fields import value_at
from webapp.security import csrf, headers, sessions, transport
from webapp.security.secret import web_secret
from webapp.security.throttle import SignInThrottle

MAX_REQUEST_BYTES = 2 * 1024 * 1024


def create_app(
    engine: Engine | None = None,
    *,
    secure_cookies: bool | None = None,
    proxy_hops: int | None = None,
) -> Flask:
    """The app; ``proxy_hops`` (default: ``PATHWAYS_PROXY_HOPS``, else 0) reverse proxies are
    believed about the client's address and scheme (``webapp/security/transport.py``)."""
    app = Flask(__name__)
    engine = engine or Engine()
    app.extensions["pathways"] = engine
    app.config.update(
        SECRET_KEY=web_secret(engine.settings.var_dir / "keys"),
        MAX_CONTENT_LENGTH=MAX_REQUEST_BYTES,
        SECURE_COOKIES=secure_cookies,
    )
    app.extensions["signin_throttle"] = SignInThrottle(engine.clock.now)

    from webapp.account.views import account  # noqa: PLC0415 - blueprints import the app's helpers
    from webapp.admin import admin  # noqa: PLC0415 - as above
    from webapp.api.views import api  # noqa: PLC0415 - as above
    from webapp.auth.views import auth  # noqa: PLC0415 - as above
    from webapp.cases.views import cases, screening_offered  # noqa: PLC0415 - as above
    from webapp.documents import documents  # noqa: PLC0415 - as above
    from webapp.inbox.views import inbox  # noqa: PLC0415 - as above
    from webapp.modeller import modeller  # noqa: PLC0415 - as above
    from webapp.tasks.views import tasks  # noqa: PLC0415 - as above

    # Bounded ids in every route (``<int:...>``, ``<bigint:...>``), set before any rule is added.
    app.url_map.converters.update(request_input.CONVERTERS)
    for blueprint in (auth, inbox, tasks, cases, documents, api, account, admin, modeller):
        app.register_blueprint(blueprint)

    app.before_request(request_input.refuse_nul_characters)  # before anything looks anything up
    app.before_request(sessions.load_actor)
    app.before_request(sessions.enforce_rule)
    app.after_request(sessions.set_cookies)
    app.after_request(headers.add)
    errors.register(app)
    formatting.register(app)
    i18n.register(app)
    app.jinja_env.globals["csrf_token"] = csrf.token
    app.jinja_env.globals["current_actor"] = lambda: g.get("actor")
    app.jinja_env.globals["request_path"] = lambda: request.path
    app.jinja_env.globals["value_at"] = value_at
    app.jinja_env.globals["password_min_length"] = MIN_LENGTH
    app.jinja_env.globals["screening_offered"] = screening_offered
    hops = transport.proxy_hops_from_environment() if proxy_hops is None else proxy_hops
    app.wsgi_app = transport.wrap(app.wsgi_app, proxy_hops=hops)  # type: ignore[method-assign]
    return app
