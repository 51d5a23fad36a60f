"""Real browser cookie stores for the tests, made the way the browsers make them (see tests/web/README.md).

- `chromium_profile`: a real headless Chromium writes `Default/Cookies` (cookies set through the DevTools
  protocol over `--remote-debugging-pipe`, then `Browser.close`, the only exit that flushes them).
- `write_chromium_cookies`: the same SQLite schema (meta version 24) and `v10` encryption Chromium uses on
  Linux without a keyring, for machines without Chromium.
- `write_firefox_cookies`: `cookies.sqlite` schema 17 as Firefox 153 ESR creates it (expiry in ms).
- `write_binarycookies`: Safari's `Cookies.binarycookies` format.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import plistlib
import shutil
import sqlite3
import struct
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

CHROMIUM = "/usr/bin/chromium"


@dataclass
class Cookie:
    domain: str  # ".chatgpt.com" (domain cookie) or "chatgpt.com" (host-only)
    name: str
    value: str
    secure: bool = True
    http_only: bool = False
    expires: float | None = None  # unix seconds; None = a year from now


def _expiry(c: Cookie) -> float:
    return c.expires if c.expires is not None else time.time() + 365 * 86400


# -- Chromium, written by the real browser -------------------------------------------------------------

def chromium_binary() -> str | None:
    if not os.path.exists(CHROMIUM):
        return None
    real = "/usr/lib/chromium/chromium"  # the launcher script execs this; talk to the browser itself
    return real if os.path.exists(real) else CHROMIUM


def chromium_profile(user_data_dir: Path, cookies: list[Cookie], timeout: float = 30) -> Path:
    """Start headless Chromium on `user_data_dir`, set `cookies` over CDP, close it; returns the Cookies file."""
    binary = chromium_binary()
    assert binary, "chromium is not installed"
    user_data_dir.mkdir(parents=True, exist_ok=True)
    to_browser_r, to_browser_w = os.pipe()
    from_browser_r, from_browser_w = os.pipe()

    def wire_fds() -> None:
        # Chromium reads commands on fd 3 and writes replies on fd 4. Move the ends out of the way first
        # so that dup2 never lands on one of them (dup2(3, 3) would keep close-on-exec).
        read_end = fcntl.fcntl(to_browser_r, fcntl.F_DUPFD, 100)
        write_end = fcntl.fcntl(from_browser_w, fcntl.F_DUPFD, 100)
        os.dup2(read_end, 3)
        os.dup2(write_end, 4)

    args = [binary, "--headless=new", "--no-sandbox", "--disable-gpu", "--no-first-run",
            "--no-default-browser-check", "--disable-background-networking", "--disable-component-update",
            "--disable-sync", "--disable-quic", "--password-store=basic", f"--user-data-dir={user_data_dir}",
            "--remote-debugging-pipe", "about:blank"]
    proc = subprocess.Popen(args, preexec_fn=wire_fds, close_fds=False, stdin=subprocess.DEVNULL,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    os.close(to_browser_r)
    os.close(from_browser_w)
    reader = os.fdopen(from_browser_r, "rb", buffering=0)
    writer = os.fdopen(to_browser_w, "wb", buffering=0)
    buffer = b""

    def call(msg_id: int, method: str, params: dict) -> dict:
        nonlocal buffer
        writer.write(json.dumps({"id": msg_id, "method": method, "params": params}).encode() + b"\0")
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            while b"\0" in buffer:
                raw, buffer = buffer.split(b"\0", 1)
                message = json.loads(raw)
                if message.get("id") == msg_id:
                    if "error" in message:
                        raise RuntimeError(f"{method}: {message['error']}")
                    return message.get("result") or {}
            chunk = reader.read(65536)
            if not chunk:
                raise RuntimeError(f"chromium closed the pipe during {method}")
            buffer += chunk
        raise TimeoutError(method)

    try:
        call(1, "Storage.setCookies", {"cookies": [
            {"name": c.name, "value": c.value, "domain": c.domain, "path": "/", "secure": c.secure,
             "httpOnly": c.http_only, "sameSite": "Lax", "expires": _expiry(c)} for c in cookies]})
        stored = call(2, "Storage.getCookies", {})["cookies"]
        assert len(stored) == len(cookies), stored
        try:
            call(3, "Browser.close", {})
        except RuntimeError:
            pass  # the pipe may close before the reply arrives
        proc.wait(timeout)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        reader.close()
        writer.close()
    return user_data_dir / "Default" / "Cookies"


# -- Chromium, without a browser ------------------------------------------------------------------------

_CHROMIUM_SCHEMA = """
CREATE TABLE meta(key LONGVARCHAR NOT NULL UNIQUE PRIMARY KEY, value LONGVARCHAR);
CREATE TABLE cookies(creation_utc INTEGER NOT NULL,host_key TEXT NOT NULL,top_frame_site_key TEXT NOT NULL,
 name TEXT NOT NULL,value TEXT NOT NULL,encrypted_value BLOB NOT NULL,path TEXT NOT NULL,expires_utc INTEGER NOT NULL,
 is_secure INTEGER NOT NULL,is_httponly INTEGER NOT NULL,last_access_utc INTEGER NOT NULL,has_expires INTEGER NOT NULL,
 is_persistent INTEGER NOT NULL,priority INTEGER NOT NULL,samesite INTEGER NOT NULL,source_scheme INTEGER NOT NULL,
 source_port INTEGER NOT NULL,last_update_utc INTEGER NOT NULL,source_type INTEGER NOT NULL,
 has_cross_site_ancestor INTEGER NOT NULL);
CREATE UNIQUE INDEX cookies_unique_index ON cookies(host_key, top_frame_site_key, has_cross_site_ancestor, name,
 path, source_scheme, source_port);
INSERT INTO meta VALUES('mmap_status','-1'),('version','24'),('last_compatible_version','24');
"""
_WINDOWS_EPOCH_OFFSET = 11644473600  # seconds from 1601-01-01 to 1970-01-01


def _chromium_time(unix_seconds: float) -> int:
    return int((unix_seconds + _WINDOWS_EPOCH_OFFSET) * 1_000_000)


def _chromium_encrypt(host_key: str, value: str) -> bytes:
    # Linux without a keyring: AES-128-CBC, key PBKDF2-SHA1("peanuts", "saltysalt", 1 round), IV of spaces;
    # since DB version 24 the plaintext starts with sha256(host_key).
    from Cryptodome.Cipher import AES
    from Cryptodome.Util.Padding import pad

    key = hashlib.pbkdf2_hmac("sha1", b"peanuts", b"saltysalt", 1, 16)
    plain = hashlib.sha256(host_key.encode()).digest() + value.encode()
    return b"v10" + AES.new(key, AES.MODE_CBC, iv=b" " * 16).encrypt(pad(plain, 16))


def write_chromium_cookies(path: Path, cookies: list[Cookie]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    con = sqlite3.connect(path)
    con.executescript(_CHROMIUM_SCHEMA)
    now = _chromium_time(time.time())
    for c in cookies:
        con.execute("INSERT INTO cookies VALUES(?,?,'',?,'',?,'/',?,?,?,?,1,1,1,1,?,?,?,0,0)",
                    (now, c.domain, c.name, _chromium_encrypt(c.domain, c.value), _chromium_time(_expiry(c)),
                     int(c.secure), int(c.http_only), now, 2 if c.secure else 1, 443 if c.secure else 80, now))
    con.commit()
    con.close()
    return path


# -- Firefox ----------------------------------------------------------------------------------------------

_FIREFOX_SCHEMA = """CREATE TABLE moz_cookies (id INTEGER PRIMARY KEY, originAttributes TEXT NOT NULL DEFAULT '',
 name TEXT, value TEXT, host TEXT, path TEXT, expiry INTEGER, lastAccessed INTEGER, creationTime INTEGER,
 isSecure INTEGER, isHttpOnly INTEGER, inBrowserElement INTEGER DEFAULT 0, sameSite INTEGER DEFAULT 0,
 schemeMap INTEGER DEFAULT 0, isPartitionedAttributeSet INTEGER DEFAULT 0, updateTime INTEGER,
 CONSTRAINT moz_uniqueid UNIQUE (name, host, path, originAttributes));
PRAGMA user_version = 17;"""


def write_firefox_profile(home: Path, cookies: list[Cookie], profile: str = "t1.default-release") -> Path:
    """`~/.mozilla/firefox/profiles.ini` + `<profile>/cookies.sqlite`, where browser-cookie3 looks on Linux."""
    root = home / ".mozilla" / "firefox"
    (root / profile).mkdir(parents=True, exist_ok=True)
    (root / "profiles.ini").write_text(f"[Profile0]\nName=default-release\nIsRelative=1\nPath={profile}\n"
                                       "Default=1\n\n[General]\nStartWithLastProfile=1\nVersion=2\n")
    path = root / profile / "cookies.sqlite"
    con = sqlite3.connect(path)
    con.executescript(_FIREFOX_SCHEMA)
    now_us = int(time.time() * 1_000_000)
    for c in cookies:
        con.execute("INSERT INTO moz_cookies (originAttributes,name,value,host,path,expiry,lastAccessed,"
                    "creationTime,isSecure,isHttpOnly,sameSite,schemeMap,updateTime) "
                    "VALUES ('',?,?,?,'/',?,?,?,?,?,1,?,?)",
                    (c.name, c.value, c.domain, int(_expiry(c) * 1000), now_us, now_us, int(c.secure),
                     int(c.http_only), 2 if c.secure else 1, now_us))
    con.commit()
    con.close()
    return path


# -- Safari -------------------------------------------------------------------------------------------------

_MAC_EPOCH_OFFSET = 978307200  # seconds from 1970-01-01 to 2001-01-01


def _binarycookie_record(c: Cookie) -> bytes:
    strings = b""
    offsets = []
    for text in (c.domain, c.name, "/", c.value):
        offsets.append(56 + len(strings))
        strings += text.encode() + b"\0"
    flags = (1 if c.secure else 0) | (4 if c.http_only else 0)
    size = 56 + len(strings)
    header = struct.pack("<IIII", size, 0, flags, 0) + struct.pack("<IIII", *offsets) + struct.pack("<II", 0, 0)
    header += struct.pack("<dd", _expiry(c) - _MAC_EPOCH_OFFSET, time.time() - _MAC_EPOCH_OFFSET)
    return header + strings


def _binarycookie_page(cookies: list[Cookie]) -> bytes:
    records = [_binarycookie_record(c) for c in cookies]
    head_len = 4 + 4 + 4 * len(records) + 4
    offsets, pos = [], head_len
    for r in records:
        offsets.append(pos)
        pos += len(r)
    return (b"\x00\x00\x01\x00" + struct.pack("<I", len(records)) + b"".join(struct.pack("<I", o) for o in offsets)
            + b"\x00\x00\x00\x00" + b"".join(records))


def write_binarycookies(path: Path, cookies: list[Cookie]) -> Path:
    """Big-endian file header and page sizes, little-endian pages (one per domain, as Safari groups them)."""
    by_domain: dict[str, list[Cookie]] = {}
    for c in cookies:
        by_domain.setdefault(c.domain, []).append(c)
    pages = [_binarycookie_page(group) for group in by_domain.values()]
    checksum = sum(sum(page[i] for i in range(0, len(page), 4)) for page in pages) & 0xFFFFFFFF
    data = b"cook" + struct.pack(">I", len(pages)) + b"".join(struct.pack(">I", len(p)) for p in pages)
    data += b"".join(pages) + struct.pack(">I", checksum) + bytes.fromhex("071720050000004b")
    data += plistlib.dumps({"NSHTTPCookieAcceptPolicy": 2}, fmt=plistlib.FMT_BINARY)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path


def session_cookies(value: str, domain: str = ".chatgpt.com") -> list[Cookie]:
    return [Cookie(domain, "__Secure-next-auth.session-token", value, secure=True, http_only=True),
            Cookie(domain, "_account", "personal"),
            Cookie(domain, "oai-did", "did-" + value[-4:], secure=False),
            Cookie(".openai.com", "__cf_bm", "openai-side-cookie")]


def copy_profile(src: Path, dst: Path) -> None:
    shutil.copytree(src, dst)
