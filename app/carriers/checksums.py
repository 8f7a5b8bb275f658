"""Check-digit algorithms, named once so ``resources/carriers.toml`` can refer to them.

Each function takes the serial (the characters the check digit is computed over, as matched by the
rule's ``serial`` group) and the check digit, and says whether they agree. The catalogue only
calls them after the rule's pattern matched, so the serial has the shape the algorithm expects.
The definitions follow the tracking_number_data project's ``checksum`` entries.
"""

from __future__ import annotations

from collections.abc import Callable

Checksum = Callable[[str, str], bool]

_S10_WEIGHTS = (8, 6, 4, 2, 3, 5, 9, 7)


def s10(serial: str, check: str) -> bool:
    """UPU S10: weights 8 6 4 2 3 5 9 7, mod 11; 11 - remainder, where 10 -> 0 and 11 -> 5."""
    total = sum(int(d) * w for d, w in zip(serial, _S10_WEIGHTS, strict=True))
    expected = 11 - total % 11
    if expected == 10:
        expected = 0
    elif expected == 11:
        expected = 5
    return expected == int(check)


def _ups_value(char: str) -> int:
    # UPS maps letters onto digits: A=2, B=3, ..., J=1, ... (the ASCII code minus 3, mod 10).
    return int(char) if char.isdigit() else (ord(char) - 3) % 10


def ups(serial: str, check: str) -> bool:
    """UPS 1Z: letters mapped to digits, every second character (from the left) doubled, mod 10."""
    total = sum(_ups_value(c) * (2 if i % 2 else 1) for i, c in enumerate(serial))
    return (10 - total % 10) % 10 == int(check)


def fedex12(serial: str, check: str) -> bool:
    """FedEx Express 12: weights 1 3 7 repeating from the right, sum mod 11, a remainder of 10 -> 0."""
    weights = (1, 3, 7)
    total = sum(int(d) * weights[i % 3] for i, d in enumerate(reversed(serial)))
    return total % 11 % 10 == int(check)


def gs1_mod10(serial: str, check: str) -> bool:
    """GS1 mod 10: weights 3 1 3 1 ... from the rightmost digit, check = 10 - sum mod 10."""
    total = sum(int(d) * (3 if i % 2 == 0 else 1) for i, d in enumerate(reversed(serial)))
    return (10 - total % 10) % 10 == int(check)


def mod7(serial: str, check: str) -> bool:
    """DHL Express: the serial as a number, mod 7."""
    return int(serial) % 7 == int(check)


def none(serial: str, check: str) -> bool:
    """No check digit: the pattern alone decides."""
    return True


CHECKSUMS: dict[str, Checksum] = {
    "none": none,
    "s10": s10,
    "ups": ups,
    "fedex12": fedex12,
    "gs1_mod10": gs1_mod10,
    "mod7": mod7,
}
