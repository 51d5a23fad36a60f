"""Is Codex's keyring entry there? Asked of the Linux Secret Service without reading any secret.

`SearchItems` on the Secret Service answers with the paths of matching items, split into unlocked and
locked ones. It never shows a prompt and never returns a secret, so it is safe from a background run.
It tells us whether there is a D-Bus session, whether a Secret Service answers on it, and whether the
entry exists and is unlocked (docs/decisions/codex-logins.md). Other systems are not probed ("unchecked").
"""

from __future__ import annotations

import sys
from dataclasses import dataclass

SECRETS_BUS_NAME = "org.freedesktop.secrets"
SECRETS_PATH = "/org/freedesktop/secrets"
SECRETS_INTERFACE = "org.freedesktop.Secret.Service"

# What a probe can find.
PRESENT = "present"  # the entry exists in an unlocked collection
LOCKED = "locked"  # the entry exists, but its collection is locked
ABSENT = "absent"  # the Secret Service answered: no such entry
NO_DBUS = "no_dbus"  # no D-Bus session to ask (none set, or it does not answer)
NO_SERVICE = "no_service"  # a D-Bus session, but no Secret Service on it
UNCHECKED = "unchecked"  # not Linux, or jeepney missing: nothing known


@dataclass(frozen=True)
class Probe:
    status: str
    detail: str  # one short clause for the menu, never a secret


def probe_entry(service: str, account: str, env: dict[str, str], timeout: float) -> Probe:
    """Look for the item with attributes service/username (what Codex's keyring crate writes)."""
    if not sys.platform.startswith("linux"):
        return Probe(UNCHECKED, "not checked on this system (only Codex reads its keychain item)")
    address = (env.get("DBUS_SESSION_BUS_ADDRESS") or "").strip()
    if not address:
        return Probe(NO_DBUS, "no D-Bus session (DBUS_SESSION_BUS_ADDRESS is not set)")
    try:
        from jeepney import DBusAddress, MessageType, new_method_call
        from jeepney.io.blocking import open_dbus_connection
    except ImportError:
        return Probe(UNCHECKED, "not checked (the jeepney D-Bus library is not installed)")
    try:
        conn = open_dbus_connection(bus=address, auth_timeout=max(0.05, timeout))
    except Exception:  # a stale address, a dead socket, a refused authentication: all "no session"
        return Probe(NO_DBUS, "the D-Bus session does not answer")
    try:
        target = DBusAddress(SECRETS_PATH, bus_name=SECRETS_BUS_NAME, interface=SECRETS_INTERFACE)
        call = new_method_call(target, "SearchItems", "a{ss}", ({"service": service, "username": account},))
        reply = conn.send_and_get_reply(call, timeout=max(0.05, timeout))
    except Exception:
        return Probe(NO_SERVICE, "the Secret Service did not answer in time")
    finally:
        conn.close()
    if reply.header.message_type == MessageType.error:
        return Probe(NO_SERVICE, "no Secret Service (such as gnome-keyring) runs in this D-Bus session")
    try:
        unlocked, locked = reply.body
    except (TypeError, ValueError):
        return Probe(NO_SERVICE, "the Secret Service gave an unreadable answer")
    if unlocked:
        return Probe(PRESENT, "entry found")
    if locked:
        return Probe(LOCKED, "entry found, but the keyring is locked")
    return Probe(ABSENT, "no entry")
