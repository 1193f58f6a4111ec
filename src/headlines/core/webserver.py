"""How `headlines run` configures waitress, the WSGI server it serves through.

Waitress strips `X-Forwarded-For` unless told which peer to believe, so without this a proxy in
front makes every reader share the proxy's address (one rate limit, one hash in the consent
ledger). `HEADLINES_TRUSTED_PROXIES=N` says every request arrives through N proxies; waitress
then takes the Nth address from the right of `X-Forwarded-For` as the client, exactly as
`core.clients.client_ip` does for any other WSGI server, and drops the other
`X-Forwarded-*` / `Forwarded` headers, which nothing here reads.

The socket is bound once, by `headlines run`'s parent process; every web process serves from it
(core.supervisor). Whichever process is awake first accepts a new connection, so a burst of
keep-alive connections (a proxy's upstream pool, a benchmark's readers) can all land on one
process and stay there while the others idle: that process's threads then fight over the
interpreter lock and a trivial request costs ten times its CPU. A connection is therefore closed
after HEADLINES_WEB_KEEPALIVE_REQUESTS requests, as nginx does (`keepalive_requests`): the
client reconnects and the process with time to spare takes it.
"""

from __future__ import annotations

import socket
from typing import Any

from headlines.config import ConfigError


def waitress_options(*, trusted_proxies: int, threads: int) -> dict[str, Any]:
    """Keyword arguments for `waitress.serve` beyond the application, host and port."""
    options: dict[str, Any] = {"threads": threads, "ident": "headlines"}
    if trusted_proxies < 0:
        raise ConfigError(f"HEADLINES_TRUSTED_PROXIES: expected 0 or more, got {trusted_proxies}")
    if trusted_proxies:
        options.update(
            # "*": the peer is always our nearest proxy when N proxies stand in front; a
            # deployment that lets clients bypass them must not set HEADLINES_TRUSTED_PROXIES.
            trusted_proxy="*",
            trusted_proxy_count=trusted_proxies,
            trusted_proxy_headers={"x-forwarded-for"},
            clear_untrusted_proxy_headers=True,
        )
    return options


def listening_socket(host: str, port: int) -> socket.socket:
    """Bind and listen on `host:port`, before the web processes are forked to share it
    (OSError if the address cannot be had)."""
    family, kind, proto, _, address = socket.getaddrinfo(
        host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE
    )[0]
    sock = socket.socket(family, kind, proto)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(address)
        sock.listen(1024)
    except OSError:
        sock.close()
        raise
    return sock


def web_process_main(
    sock: socket.socket, application: Any, options: dict[str, Any], keepalive_requests: int = 0
) -> None:
    """One web process: waitress on the shared socket until SIGTERM (KeyboardInterrupt), then
    up to 5 seconds for the requests in hand (waitress's own shutdown). `keepalive_requests`:
    close a connection after that many requests (0: never; see `keepalive_checked`)."""
    from waitress.server import create_server

    server = create_server(without_head_bodies(application), sockets=[sock], **options)
    if keepalive_requests:  # one socket: the server is a TcpWSGIServer, which accepts
        server.channel_class = _channel_class(keepalive_requests)
    serve_until_stopped(server)


def serve_until_stopped(server: Any) -> None:
    """Waitress's own `run` (its loop until KeyboardInterrupt, then up to 5 seconds for the
    requests in hand), which also ends when the stop was asked for and its interrupt was lost
    (`supervisor.stop_requested`): each turn of the loop waits at most
    `asyncore_loop_timeout` (1 s) for a connection or a request."""
    from waitress import wasyncore

    from headlines.core import supervisor

    adj = server.adj
    try:
        while server._map and not supervisor.stop_requested():
            wasyncore.loop(
                timeout=adj.asyncore_loop_timeout,
                map=server._map,
                use_poll=adj.asyncore_use_poll,
                count=1,
            )
    except (SystemExit, KeyboardInterrupt):
        pass
    server.task_dispatcher.shutdown()


def without_head_bodies(application: Any) -> Any:
    """The WSGI application, answering HEAD with the GET's status and headers and no body.

    Waitress writes whatever body the application returns, whatever the method, and Django's
    views answer HEAD as GET: a HEAD of /archive/ sent the page after its headers, and on a
    kept-alive connection the client read those bytes as the next response's status line
    (a monitor's or link checker's next request failed). Django calls start_response before
    it returns, so the headers, Content-Length included, are already given."""

    def app(environ: dict[str, Any], start_response: Any) -> Any:
        result = application(environ, start_response)
        if environ.get("REQUEST_METHOD") != "HEAD":
            return result
        close = getattr(result, "close", None)
        if close is not None:
            close()  # a file or a streamed export is not read, only let go of
        return []

    return app


def keepalive_checked(requests: int) -> int:
    """HEADLINES_WEB_KEEPALIVE_REQUESTS, refused before any web process starts if negative."""
    if requests < 0:
        raise ConfigError(f"HEADLINES_WEB_KEEPALIVE_REQUESTS: expected 0 or more, got {requests}")
    return requests


def _channel_class(keepalive_requests: int) -> type:
    """Waitress's HTTP channel, closing its connection after `keepalive_requests` responses."""
    from waitress.channel import HTTPChannel
    from waitress.task import WSGITask

    class Task(WSGITask):
        def build_response_header(self) -> bytes:
            self.channel.served += 1
            if self.channel.served >= keepalive_requests:
                self.set_close_on_finish()  # adds "Connection: close" to the response
            return super().build_response_header()

    class Channel(HTTPChannel):
        task_class = Task
        served = 0

    return Channel
