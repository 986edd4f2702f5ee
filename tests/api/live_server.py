"""The viewer on a real HTTP server (werkzeug's, as `dsgrid serve` runs it) in a thread, on
127.0.0.1 and a free port: for what the in-process test client cannot send (chunked bodies,
raw paths with '..') and for clients that need a URL (schemathesis)."""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterator

from werkzeug.serving import make_server


@contextlib.contextmanager
def serving(registry, **settings) -> Iterator[str]:
    """Yield the base URL (http://127.0.0.1:PORT) of a viewer of ``registry``."""
    from app import create_app

    app = create_app(str(registry), host="127.0.0.1", **settings)
    server = make_server("127.0.0.1", 0, app.server, threaded=True)
    # a short poll: shutdown() returns within 50 ms instead of half a second
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=10)
