"""Suite-wide: no test reaches beyond this machine.

Every cloud call in the tests goes to the loopback fake; a client left on its default endpoint
(say `ims.aliyuncs.com`) would otherwise try DNS and the internet, and might even succeed. Name
resolution of anything but loopback fails here at once, naming the host, so such a test fails
loudly instead of slowly.
"""

from __future__ import annotations

import socket
from collections.abc import Iterator

import pytest

_LOOPBACK = {"localhost", "127.0.0.1", "::1", "", None}
_real_getaddrinfo = socket.getaddrinfo


def _loopback_only(host, *args, **kwargs):  # type: ignore[no-untyped-def]
    name = host.decode() if isinstance(host, bytes) else host
    if name not in _LOOPBACK and not str(name).startswith("127."):
        raise socket.gaierror(socket.EAI_NONAME, f"tests resolve only loopback, not {name!r}")
    return _real_getaddrinfo(host, *args, **kwargs)


@pytest.fixture(autouse=True)
def _no_network(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setattr(socket, "getaddrinfo", _loopback_only)
    yield
