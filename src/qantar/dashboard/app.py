"""The dashboard's server: a Panel application, one set of pages for each browser session.

Example:
    >>> url("127.0.0.1", 5006)
    'http://127.0.0.1:5006/'
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from qantar.errors import QantarInputError

#: How often the server looks for sessions whose tab has closed, and how long it keeps them.
CHECK_CLOSED_MS = 2000


@dataclass(frozen=True)
class Settings:
    """What every session shares: the folders of past results it may show."""

    runs: tuple[Path, ...] = field(default_factory=lambda: (Path("runs"),))


def url(host: str, port: int) -> str:
    """The address the dashboard answers on."""
    return f"http://{host}:{port}/"


def make_app(settings: Settings):
    """The pages of one session, as Panel tabs (a new set for each browser tab)."""
    import panel as pn

    from qantar.dashboard import live, runs, scenario, whatif

    session = Session()
    builders = {"Scenario": lambda: scenario.page(settings, session),
                "What if": lambda: whatif.page(settings, session),
                "Epstein live": lambda: live.page(session), "Runs": lambda: runs.page(settings, session)}
    names = list(builders)
    # the first page is built now, the others when first shown (a first page in under 3 s)
    holders = [pn.Column(builders[names[0]]() if k == 0 else pn.pane.Markdown("loading..."),
                         sizing_mode="stretch_width") for k in range(len(names))]
    built = {0}
    tabs = pn.Tabs(*zip(names, holders), dynamic=False, sizing_mode="stretch_width")

    def show(event) -> None:
        if event.new not in built:
            built.add(event.new)
            holders[event.new][:] = [builders[names[event.new]]()]

    tabs.param.watch(show, "active")
    pn.state.on_session_destroyed(lambda _context: session.close())
    return pn.Column(pn.pane.Markdown("## qantar", margin=(0, 10)), tabs, sizing_mode="stretch_width")


class Session:
    """What one browser session started (ensembles running, live worlds playing): all of it
    is stopped when the tab closes (``close``)."""

    def __init__(self) -> None:
        self._on_close: list = []

    def on_close(self, fn) -> None:
        """Call ``fn()`` when the session ends."""
        self._on_close.append(fn)

    def close(self) -> None:
        """End the session's work."""
        for fn in self._on_close:
            fn()
        self._on_close.clear()


def warm_up() -> None:
    """Load the compiled engine and the pages' modules once, before the first page asks for
    them (a first page in well under 3 s). The engine must be loaded here, on the main
    thread: loaded first inside a session's callback, its compiled code could hang."""
    import bokeh.plotting  # noqa: F401

    from qantar.dashboard import live, scenario, whatif  # noqa: F401
    from qantar.engine import warm_up as load_engine

    load_engine()


def serve(host: str = "127.0.0.1", port: int = 5006, runs: tuple[Path, ...] = (Path("runs"),),
          open_browser: bool = True, threaded: bool = False, on_ready=None):
    """Serve the dashboard on ``host``:``port`` until stopped (``threaded``: in a thread,
    returned, with ``.stop()``). ``on_ready(url)`` is called once it listens."""
    import panel as pn

    warm_up()
    pn.extension(notifications=False)
    settings = Settings(runs=tuple(Path(r) for r in runs))
    try:
        server = pn.serve({"/": lambda: make_app(settings)}, address=host, port=port, show=False, start=False,
                          threaded=threaded, title="qantar", websocket_origin=[f"{host}:{port}", f"localhost:{port}"],
                          # a closed tab's session (and its runs) ends within seconds
                          check_unused_sessions_milliseconds=CHECK_CLOSED_MS,
                          unused_session_lifetime_milliseconds=CHECK_CLOSED_MS)
    except OSError as exc:
        raise QantarInputError(f"--port {port}: cannot listen on {host}:{port} ({exc.strerror}); "
                               "choose another port with --port N") from None
    address = url(host, port)
    if threaded:
        return server
    server.start()
    if on_ready:
        on_ready(address)
    if open_browser:
        server.io_loop.add_callback(lambda: __import__("webbrowser").open(address))
    server.io_loop.start()
    return server
