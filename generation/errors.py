"""The one error type of the generation stage."""


class ModelError(RuntimeError):
    """A model that cannot be used (missing, unreachable, bad setting); the message says why."""
