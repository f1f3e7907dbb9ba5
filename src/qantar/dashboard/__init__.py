"""``qantar dashboard``: qantar in the browser (Panel with Bokeh), one module a page.

- ``live``: Epstein's Model I world drawn as a grid, stepped live;
- ``runs``: the result folders under ``--runs``, their reports and figures, two compared;
- ``scenario``: a scenario ensemble on a map of its country, with its series and targets;
- ``whatif``: a scenario's events and parameters changed, run beside the baseline.

``app.serve`` starts the server; every browser session gets its own pages and state
(``app.make_app``). The pages call the library (``qantar.api`` and the layers below it):
they hold no engine, scenario or storage code of their own.
"""
