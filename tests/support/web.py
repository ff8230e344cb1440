"""Helpers for web tests: CSRF tokens from pages, signing in."""

from __future__ import annotations

import re

PASSWORD = "correct horse battery staple"


def csrf_from(html: str) -> str:
    match = re.search(r'name="csrf_token" value="([0-9a-f]+)"', html)
    assert match, "no CSRF token on the page"
    return match.group(1)


def sign_in(client, username: str, password: str = PASSWORD):
    page = client.get("/signin")
    if page.status_code == 302:  # already signed in: any page carries the session's token
        page = client.get("/")
    return client.post(
        "/signin",
        data={"username": username, "password": password, "csrf_token": csrf_from(page.text)},
    )


def token_of(client, path: str = "/") -> str:
    return csrf_from(client.get(path).text)
