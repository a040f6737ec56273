"""The Iranian national ID (کد ملی): ten digits, the last a check digit; never shown in clear.

The check digit ``c`` of digits ``d0 … d8`` is computed from ``s = Σ d_i · (10 - i)``,
``r = s mod 11``: ``c = r`` when ``r < 2``, else ``c = 11 - r``. Ten equal digits pass that
test but are not issued; they are refused too. IDs printed in a message, a log or a report go
through :func:`mask`, which keeps the last four digits only.

Examples:
    >>> check_digit("001234567")
    9
    >>> problem("0012345679") is None, problem("0012345670")
    (True, 'national ID ***-***-5670 fails its check digit')
    >>> problem("1111111111"), problem("12345")
    ('national ID ***-***-1111 has ten equal digits', 'national ID of 5 characters, not 10 digits')
    >>> mask("0012345679")
    '***-***-5679'
"""

from __future__ import annotations

LENGTH = 10


def check_digit(first_nine: str) -> int:
    """The check digit of the first nine digits of an ID."""
    total = sum(int(d) * (LENGTH - i) for i, d in enumerate(first_nine))
    rest = total % 11
    return rest if rest < 2 else 11 - rest


def mask(code: str) -> str:
    """``code`` as it may be shown: only its last four characters (``***-***-1234``)."""
    return f"***-***-{code[-4:]}" if len(code) >= 4 else "***"


def problem(code: str) -> str | None:
    """Why ``code`` is not a valid national ID (masked), or ``None`` when it is valid."""
    if len(code) != LENGTH or not code.isascii() or not code.isdigit():
        return f"national ID of {len(code)} characters, not {LENGTH} digits"
    if code == code[0] * LENGTH:
        return f"national ID {mask(code)} has ten equal digits"
    if check_digit(code[:9]) != int(code[9]):
        return f"national ID {mask(code)} fails its check digit"
    return None


def is_valid(code: str) -> bool:
    """Whether ``code`` is a valid national ID.

    Examples:
        >>> is_valid("0012345679"), is_valid("0012345677")
        (True, False)
    """
    return problem(code) is None
