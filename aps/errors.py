"""The one error of a fetch: a single line for the admin, never a secret or a signed URL."""


class ApsError(RuntimeError):
    pass
