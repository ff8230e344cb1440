"""Interface language: Flask-Babel, catalogs compiled at start-up, and the header's language switch.

The .po files under webapp/translations are the source. Compiled .mo files are build output, so
they are never committed: they are written at start-up under the var dir (again only when a .po is
newer), which keeps ``pip install -e .`` the only step a fresh clone needs.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from flask import Blueprint, Flask, has_request_context, redirect, request, url_for
from flask_babel import Babel, get_locale, gettext, lazy_gettext

from engine.accountability.commitments import fill
from webapp.security.redirects import is_local_path
from webapp.security.rules import PUBLIC, allow
from webapp.security.sessions import secure_cookies

# The languages of the printable rights sheet, each named in itself.
LANGUAGES = {"en": "English", "th": "ไทย", "vi": "Tiếng Việt"}
DEFAULT_LANGUAGE = "en"
COOKIE = "pp_lang"
COOKIE_MAX_AGE = 365 * 24 * 3600
SOURCE_DIR = Path(__file__).resolve().parent / "translations"
DOMAIN = "messages"

# Fixed texts made where gettext is not at hand (the engine may not import Flask) and shown on
# the pages translated here, marked so they are in the catalogs; the templates pass them through
# the ``translated`` filter. A changed original simply shows in English.
OUTSIDE_TEXTS = (
    lazy_gettext("That username and password do not match, or the account is locked."),
    lazy_gettext("Child"),
    lazy_gettext("Language understood"),
    lazy_gettext("Needs an interpreter"),
    lazy_gettext("Reflection period ends"),
    lazy_gettext("Asylum claim pending"),
    lazy_gettext("Non-refoulement"),
    lazy_gettext("This answer is required."),
    lazy_gettext("Choose one of the listed options."),
    lazy_gettext("Enter a date as YYYY-MM-DD."),
    lazy_gettext("Enter text."),
    lazy_gettext("Enter a number."),
    lazy_gettext("Enter a whole number."),
    lazy_gettext("Choose yes or no."),
    lazy_gettext("This answer is not in the expected form."),
    lazy_gettext("Each item may appear only once."),
    lazy_gettext("Confirm this to continue."),
    lazy_gettext("This date is in the future: it must be today or earlier."),
)

i18n = Blueprint("i18n", __name__)


def select_locale() -> str:
    """The person's own choice, then the browser's languages, then English."""
    if not has_request_context():
        return DEFAULT_LANGUAGE
    chosen = request.cookies.get(COOKIE, "")
    if chosen in LANGUAGES:
        return chosen
    return request.accept_languages.best_match(list(LANGUAGES), default=DEFAULT_LANGUAGE)


def current_language() -> str:
    locale = get_locale()
    return locale.language if locale is not None and locale.language in LANGUAGES else "en"


def translated(text: object) -> object:
    """Content text (BPMN names, form titles) in the reader's language, or as written.

    Empty text stays empty: gettext("") would return the catalog's header.
    """
    return gettext(text) if isinstance(text, str) and text else text


def translated_filled(text: str, params: tuple[tuple[str, object], ...] = ()) -> str:
    """A fixed sentence with ``%(name)s`` places (a commitment's explanation, an evidence
    note), translated, then filled with what was recorded (itself translated when the
    catalogs know it: a language's name, a list of words)."""
    return fill(translated(text), params, word=lambda value: str(translated(value)))


def compile_catalogs(source: Path, target: Path) -> Path:
    """Compile every <lang>/LC_MESSAGES/messages.po under ``source`` into ``target``.

    Written to a temporary name and renamed, so several workers starting at once never read a
    half-written file. Fuzzy entries are left out: they show English until someone checks them.
    """
    for po_path in sorted(source.glob(f"*/LC_MESSAGES/{DOMAIN}.po")):
        mo_path = target / po_path.relative_to(source).with_suffix(".mo")
        if mo_path.exists() and mo_path.stat().st_mtime_ns >= po_path.stat().st_mtime_ns:
            continue
        mo_path.parent.mkdir(parents=True, exist_ok=True)
        with po_path.open("rb") as po_file:
            catalog = read_po(po_file, locale=po_path.parts[-3], domain=DOMAIN)
        handle, temporary = tempfile.mkstemp(dir=mo_path.parent, suffix=".mo.tmp")
        try:
            with os.fdopen(handle, "wb") as mo_file:
                write_mo(mo_file, catalog, use_fuzzy=False)
            os.replace(temporary, mo_path)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
    return target


def _compiled_dir(app: Flask) -> Path:
    var_dir = app.extensions["pathways"].settings.var_dir
    try:
        return compile_catalogs(SOURCE_DIR, var_dir / "translations")
    except OSError:  # a read-only var dir: a private temporary one will do
        return compile_catalogs(SOURCE_DIR, Path(tempfile.mkdtemp(prefix="pathways-i18n-")))


def _local_path(target: str | None) -> str:
    return target if is_local_path(target) else url_for("inbox.home")


def return_path() -> str:
    """Where the language switch brings the person back: this page, if it can be fetched again."""
    if request.method != "GET":
        return request.path
    return request.full_path.rstrip("?")


@i18n.route("/language", methods=["POST"])
@allow(PUBLIC)  # the sign-in page offers it too; the pre-session CSRF token covers anonymous posts
def switch():
    response = redirect(_local_path(request.form.get("next")))
    language = request.form.get("language", "")
    if language in LANGUAGES:
        response.set_cookie(
            COOKIE,
            language,
            max_age=COOKIE_MAX_AGE,
            httponly=True,
            samesite="Lax",
            secure=secure_cookies(),
            path="/",
        )
    return response


def register(app: Flask) -> None:
    app.config["BABEL_TRANSLATION_DIRECTORIES"] = str(_compiled_dir(app))
    app.config["BABEL_DEFAULT_LOCALE"] = DEFAULT_LANGUAGE
    Babel(app, locale_selector=select_locale)
    app.register_blueprint(i18n)
    app.jinja_env.filters["translated"] = translated
    app.jinja_env.filters["translated_filled"] = translated_filled
    app.jinja_env.globals.update(
        languages=LANGUAGES, current_language=current_language, language_return_path=return_path
    )
