"""A running ensemble on a page: Run and Cancel buttons, a progress bar and a status line,
polled from the session (the job runs on its own thread, ``jobs.EnsembleJob``)."""

from __future__ import annotations

import traceback

from qantar.dashboard.jobs import EnsembleJob

#: Milliseconds between two looks at a running job.
POLL_MS = 300


class JobPanel:
    """Start jobs, show their progress, cancel them; ``on_finished(job)`` once a job's
    runs are all done. A closed session cancels its job."""

    def __init__(self, session, on_finished, label: str = "Run"):
        import panel as pn

        self.run_button = pn.widgets.Button(name=label, button_type="primary", width=110)
        self.cancel_button = pn.widgets.Button(name="Cancel", width=90, disabled=True)
        self.bar = pn.indicators.Progress(value=0, max=1, width=260, bar_color="primary", visible=False)
        self.status = pn.pane.Markdown("", css_classes=["job-status"])
        self.on_finished = on_finished
        self.jobs: list[EnsembleJob] = []
        self._poll = None
        self.cancel_button.on_click(lambda _e: self.cancel())
        session.on_close(self.cancel)

    def start(self, *jobs: EnsembleJob, what: str) -> None:
        """Run ``jobs`` one after the other (a baseline, then a what-if) and show progress."""
        import panel as pn

        self.cancel()
        self.jobs, self.what = list(jobs), what
        self.bar.max, self.bar.value, self.bar.visible = sum(j.seeds for j in jobs), 0, True
        self.run_button.disabled, self.cancel_button.disabled = True, False
        self.status.object = f"running {what}..."
        self.jobs[0].start()
        self._poll = pn.state.add_periodic_callback(self._look, period=POLL_MS)

    def _look(self) -> None:
        current = next((j for j in self.jobs if j.state != "finished"), None)
        self.bar.value = sum(j.done for j in self.jobs)
        if current is None:
            self._end()
            self.status.object = f"{self.what}: {self.bar.value} runs done"
            try:
                self.on_finished(self.jobs)
            except Exception as exc:  # shown, and logged with its traceback for a bug report
                traceback.print_exc()
                self.status.object = f"error: could not show the result ({type(exc).__name__}: {exc})"
        elif current.state == "waiting":
            current.start()
        elif current.state in ("cancelled", "failed"):
            self._end()
            self.status.object = "cancelled" if current.state == "cancelled" else f"error: {current.error}"
        else:
            self.status.object = f"running {self.what}: {self.bar.value} of {self.bar.max} runs"

    def _end(self) -> None:
        if self._poll is not None:
            self._poll.stop()
            self._poll = None
        self.run_button.disabled, self.cancel_button.disabled = False, True

    def cancel(self) -> None:
        """Cancel the jobs running (their runs not started yet)."""
        running = [job for job in self.jobs if job.active and not job.cancelled]
        for job in running:
            job.cancel()
        if self._poll is not None:
            self._end()
            self.status.object = "cancelled"
        if running:  # the server's log says what stopped
            print(f"cancelled: {self.what} ({sum(j.done for j in self.jobs)} of {self.bar.max} runs done)",
                  flush=True)

    def layout(self):
        import panel as pn

        return pn.Column(pn.Row(self.run_button, self.cancel_button, self.bar), self.status)
