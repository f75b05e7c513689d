"""Credentials for the HTTP clients (`query`/`paths`/`stats --endpoint`, `push`): where they come from, and the
Authorization header a server's 401 challenge asks for (HTTP Basic, or Digest as Virtuoso's /sparql-auth and
/sparql-graph-crud-auth want).

Sources, first match wins: `--user NAME` with its password in the environment variable EXMECH_PASSWORD or in the
netrc file (~/.netrc, or the file $NETRC names); EXMECH_USER with EXMECH_PASSWORD; a netrc entry for the host.
Credentials written in the URL (http://user:password@host/) are taken out of it, used the same way and sent as
Basic at once (as before). A password is never taken from a visible argument, never printed and never put in a
message: `Credentials` shows only that it holds one. The Digest computation is the standard library's
(urllib.request.AbstractDigestAuthHandler: MD5 or SHA, qop=auth)."""

import base64
import netrc
import os
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote, urlsplit, urlunsplit

from exmech.errors import InputError

PASSWORD_VAR, USER_VAR = "EXMECH_PASSWORD", "EXMECH_USER"


@dataclass(frozen=True)
class Credentials:
    user: str
    password: str = field(repr=False)
    eager: bool = False  # send Basic before any challenge (credentials the user wrote into the URL)

    def __repr__(self) -> str:
        return "Credentials(user=..., password=...)"

    def basic(self) -> str:
        secret = f"{self.user}:{self.password}".encode()
        return "Basic " + base64.b64encode(secret).decode("ascii")


def split_credentials(url: str) -> tuple[str, Credentials | None]:
    """The URL without any user:password@ part, and the credentials it held (sent as Basic at once)."""
    parts = urlsplit(url)
    if "@" not in parts.netloc:
        return url, None
    userinfo, _, host = parts.netloc.rpartition("@")
    user, _, password = userinfo.partition(":")
    stripped = urlunsplit(parts._replace(netloc=host))
    return stripped, Credentials(unquote(user), unquote(password), eager=True)


def _netrc_entry(host: str) -> tuple[str, str] | None:
    path = Path(os.environ.get("NETRC") or Path.home() / ".netrc")
    if not path.is_file():
        return None
    try:
        found = netrc.netrc(str(path)).authenticators(host)
    except (netrc.NetrcParseError, OSError, UnicodeDecodeError) as exc:
        line = getattr(exc, "lineno", None)
        raise InputError(
            f"the netrc file {path} could not be read" + (f" (line {line})" if line else "")
        ) from None
    return (found[0], found[2] or "") if found else None


def find_credentials(url: str, user: str | None = None) -> Credentials | None:
    """The credentials for url from --user (password from EXMECH_PASSWORD or netrc), EXMECH_USER and
    EXMECH_PASSWORD, or netrc; None when none are given. An InputError when --user has no password anywhere."""
    host = urlsplit(url).hostname or ""
    user = user or os.environ.get(USER_VAR) or None
    password = os.environ.get(PASSWORD_VAR)
    if user is not None:
        if password is not None:
            return Credentials(user, password)
        entry = _netrc_entry(host)
        if entry and entry[0] == user:
            return Credentials(user, entry[1])
        raise InputError(
            f"--user is given but no password: set the environment variable {PASSWORD_VAR}, or add "
            f"'machine {host} login ... password ...' to ~/.netrc"
        )
    entry = _netrc_entry(host)
    return Credentials(*entry) if entry else None


class _Digest(urllib.request.AbstractDigestAuthHandler):
    def __init__(self, credentials: Credentials, url: str):
        passwords = urllib.request.HTTPPasswordMgrWithDefaultRealm()
        passwords.add_password(None, url, credentials.user, credentials.password)
        super().__init__(passwords)


def _challenges(header: str) -> dict[str, dict[str, str]]:
    """WWW-Authenticate as {scheme: its parameters}, for the schemes Basic and Digest."""
    scheme, _, rest = header.strip().partition(" ")
    items = urllib.request.parse_http_list(rest)
    return {scheme.lower(): urllib.request.parse_keqv_list([i for i in items if "=" in i])}


def answer_challenge(header: str, credentials: Credentials, method: str, url: str) -> str | None:
    """The Authorization header answering a 401's WWW-Authenticate (Digest or Basic), or None if the scheme is
    not one exmech speaks (or the challenge cannot be read)."""
    try:
        challenge = _challenges(header)
    except ValueError:
        return None
    if "digest" in challenge:
        request = urllib.request.Request(url, method=method)
        try:
            value = _Digest(credentials, url).get_authorization(request, challenge["digest"])
        except (ValueError, UnicodeEncodeError, urllib.error.URLError):
            return None  # an algorithm or qop urllib does not implement, or a password Digest cannot encode
        return f"Digest {value}" if value else None
    if "basic" in challenge:
        return credentials.basic()
    return None
