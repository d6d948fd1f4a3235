"""The one error of a fetch: a single line for the admin, never a secret or a signed URL."""


class ApsError(RuntimeError):
    """`outcome`: what audit.fetched_exports records for the export: ERROR (it ended
    badly), FAILED (its files cannot be had), or None (the fetch lost track of it: it
    stays SUBMITTED and the next fetch resumes it)."""

    def __init__(self, message: str, outcome: str | None = None):
        super().__init__(message)
        self.outcome = outcome
