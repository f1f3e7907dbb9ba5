"""Errors a user can act on: each names the field, what was given and what is accepted.

Interfaces (CLI, dashboard) catch :class:`QantarInputError` and print its message on one
line; anything else is a bug and keeps its traceback.
"""

from __future__ import annotations

from pydantic import ValidationError


class QantarInputError(ValueError):
    """Bad input from a user: the message says which field and what is accepted."""


def explain(exc: ValidationError, prefix: str = "") -> QantarInputError:
    """Turn pydantic's first error into a one-line :class:`QantarInputError`.

    Example:
        >>> from pydantic import ValidationError
        >>> from qantar.rules import Params
        >>> try:
        ...     Params(cop_density=-1)
        ... except ValidationError as exc:
        ...     print(explain(exc))
        cop_density: Input should be greater than or equal to 0 (got -1)
    """
    err = exc.errors()[0]
    loc = ".".join(str(p) for p in err["loc"])
    msg = err["msg"].removeprefix("Value error, ")
    where = f"{prefix}{loc}: " if loc else prefix
    given = f" (got {err['input']!r})" if loc and "input" in err and not isinstance(err["input"], dict) else ""
    return QantarInputError(f"{where}{msg}{given}")
