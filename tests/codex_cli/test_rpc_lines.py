"""The app-server's stdout is split into lines; a child that floods one endless line cannot grow our memory."""

from __future__ import annotations

from codexbar_core.sources.rpc import MAX_LINE_BYTES, AppServer


def line_reader() -> tuple[AppServer, list[bytes]]:
    server = AppServer.__new__(AppServer)  # only the line splitting, no child process
    server._buf, server._skipping = b"", False
    got: list[bytes] = []
    server._file = got.append  # type: ignore[method-assign]
    return server, got


def test_lines_split_across_reads_are_joined():
    server, got = line_reader()
    for chunk in (b'{"id":1}\n{"id"', b':2}\n{"id":3', b"}\n"):
        server._take(chunk)
    assert got == [b'{"id":1}', b'{"id":2}', b'{"id":3}']


def test_an_endless_line_is_dropped_and_the_next_reply_still_arrives():
    server, got = line_reader()
    server._take(b'{"id":1}\n')
    for _ in range(3):
        server._take(b"x" * (MAX_LINE_BYTES // 2))
    assert len(server._buf) <= MAX_LINE_BYTES
    server._take(b'still the same line\n{"id":2}\n')
    assert got == [b'{"id":1}', b'{"id":2}']
