"""Plain JSON for the domain's dataclasses (Outcome, BenchView, LabelData, ManifestData, BenchState),
so the server returns exactly what the embedded bench computes and the bench rebuilds it as is.

Generic over dataclasses: nested dataclasses, ``tuple[X, ...]``, ``X | None``, enums and aware
datetimes (ISO 8601). Nothing here knows HTTP.

One exception keeps the wire as benches have always read it: an Outcome's print request
(:mod:`app.packing.print_request`) travels in its ``extra`` dict (``{}``: nothing to print), the
document under the request's key (``label`` with ``order_id``, ``seq``, ``reprint``; ``manifest``
with ``manifest_id``): an older bench talks to a newer server, and the other way round.
"""

from __future__ import annotations

import dataclasses
import enum
import types
import typing
from datetime import datetime
from functools import cache
from typing import Any

from app.i18n import Message
from app.packing.outcome import Outcome
from app.packing.print_request import PRINT_REQUESTS, PrintRequest

_SCALARS = frozenset({str, int, float, bool, type(None)})  # exact types: a str enum is not one of them


@cache
def _names(cls: type) -> tuple[str, ...] | None:
    """A dataclass's field names (None: not a dataclass), looked up once per class."""
    return tuple(f.name for f in dataclasses.fields(cls)) if dataclasses.is_dataclass(cls) else None


def to_plain(value: Any) -> Any:
    cls = type(value)
    if cls in _SCALARS:  # most values: checked first, the scan's reply is built on every scan
        return value
    if cls is Message:
        return {"template": value.template, "params": {k: to_plain(v) for k, v in value.params.items()}}
    names = _names(cls)
    if names is not None:
        if cls is Outcome:
            return _outcome_to_plain(value)
        return {name: to_plain(getattr(value, name)) for name in names}
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, (list, tuple)):
        return [to_plain(v) for v in value]
    if isinstance(value, dict):
        return {str(k): to_plain(v) for k, v in value.items()}
    return value


@cache
def _hints(cls: type) -> dict[str, Any]:
    return typing.get_type_hints(cls)


def from_plain(tp: Any, data: Any) -> Any:
    """Rebuild a value of type ``tp`` from :func:`to_plain`'s output."""
    if data is None:
        return None
    if tp in _SCALARS:
        return data
    origin = typing.get_origin(tp)
    if origin in (typing.Union, types.UnionType):
        options = [a for a in typing.get_args(tp) if a is not type(None)]
        return from_plain(options[0], data) if len(options) == 1 else data
    if tp is Message:
        return Message(data["template"], dict(data.get("params") or {}))
    if tp is Outcome:
        return _outcome_from_plain(data)
    if isinstance(tp, type) and dataclasses.is_dataclass(tp):
        hints = _hints(tp)
        return tp(**{f.name: from_plain(hints[f.name], data[f.name]) for f in dataclasses.fields(tp) if f.name in data})
    if origin is tuple:
        args = typing.get_args(tp)
        if len(args) == 2 and args[1] is Ellipsis:
            return tuple(from_plain(args[0], v) for v in data)
        return tuple(from_plain(a, v) for a, v in zip(args, data, strict=False))
    if origin is list:
        (arg,) = typing.get_args(tp) or (Any,)
        return [from_plain(arg, v) for v in data]
    if origin is dict:
        return dict(data)
    if isinstance(tp, type) and issubclass(tp, enum.Enum):
        return tp(data)
    if tp is datetime:
        return datetime.fromisoformat(data)
    return data


# ----------------------------------------------------------------------------- the Outcome's print request

_OUTCOME_FIELDS = tuple(name for name in _names(Outcome) or () if name not in ("extra", "print_request"))


def _outcome_to_plain(outcome: Outcome) -> dict[str, Any]:
    plain = {name: to_plain(getattr(outcome, name)) for name in _OUTCOME_FIELDS}
    extra = to_plain(outcome.extra)
    if outcome.print_request is not None:
        extra.update(to_plain(outcome.print_request))
    plain["extra"] = extra
    return plain


def _outcome_from_plain(data: dict[str, Any]) -> Outcome:
    hints = _hints(Outcome)
    extra = dict(data.get("extra") or {})
    request = print_request_from_plain(extra)
    if request is not None:  # its keys are the request's, not notes
        for name in _names(type(request)) or ():
            extra.pop(name, None)
    return Outcome(**{name: from_plain(hints[name], data[name]) for name in _OUTCOME_FIELDS if name in data},
                   extra=extra, print_request=request)


def print_request_from_plain(extra: dict[str, Any]) -> PrintRequest | None:
    """The print request in an Outcome's ``extra`` (None: nothing to print, or a document this
    bench does not know yet)."""
    for kind in PRINT_REQUESTS:
        if kind.key in extra:
            try:
                return from_plain(kind, extra)
            except (TypeError, KeyError, ValueError):  # another version's shape of the document: not ours to print
                return None
    return None
