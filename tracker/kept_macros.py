"""NHS.UK component macros rendered once per distinct set of parameters and kept.

The NHS.UK macros were the largest part of an ordinary page's Python (the header on every page, the
activity form's selects, date inputs, radios and text areas; bench/page_cpu.py). A component macro
imported without context sees only its parameters, so its HTML is a function of them: the key is
the macro and everything in its parameters, and a change anywhere (a new course, a renamed menu
item, a badge's count) makes a new key. Nothing needs invalidating and a page reads byte for byte
as it did.

Templates call `kept(macro, params)` only where the parameters are reference data or the state of
an empty field: never a reflection's words (private, and never the same twice), never with a
`call` block (the caller's body is not in the key).
"""
from __future__ import annotations

from jinja2 import Undefined
from markupsafe import Markup
from sqlalchemy import Row

from tracker.models import UnitKind

KEPT_CHARACTERS = 8_000_000  # about 16 MB of kept HTML per process, then it starts again
_kept: dict[tuple, Markup] = {}
_size = 0


def _frozen(value):
    """A hashable stand-in that tells apart whatever a macro could render differently: the type
    too, since 1, 1.0 and True are equal in Python and Markup is a str that is not escaped."""
    if isinstance(value, dict):
        return ("dict", tuple((key, _frozen(item)) for key, item in value.items()))
    if isinstance(value, (list, tuple)):
        return ("list", tuple(_frozen(item) for item in value))
    if isinstance(value, Undefined):
        return ("undefined",)
    return (type(value).__name__, value)


def kept(macro, params: dict) -> Markup:
    """What `macro(params)` renders, from the kept copy when these parameters were seen before."""
    key = (getattr(getattr(macro, "_func", None), "__code__", macro.name), _frozen(params))
    try:
        hash(key)
    except TypeError:  # something unhashable in the parameters: render it as it is
        return Markup(macro(params))
    return _keep(key, lambda: macro(params))


def _keep(key, render) -> Markup:
    global _size
    html = _kept.get(key)
    if html is None:
        html = Markup(render())
        if _size + len(html) > KEPT_CHARACTERS:
            forget()
        _kept[key] = html
        _size += len(html)
    return html


def kept_unit_select(select_macro, params: dict, units, chosen_id: int | None, all_units_label: str) -> Markup:
    """The unit filter's select (NHS.UK `select_macro` with `params`, an option per unit of `units`
    after one for all of them), kept per list of units with nothing chosen; the chosen option is
    marked on each page. A system has thousands of units: building and freezing their options in
    the template cost 60 ms of the organisation report at 100,000 staff."""
    units = tuple(units)
    if units and not isinstance(units[0], (tuple, Row)):  # ORM units hash by identity: key them by what shows
        units = tuple((unit.id, unit.name, unit.kind) for unit in units)
    elif units and isinstance(units[0], Row):
        units = tuple(map(tuple, units))
    # Plain tuples of (id, name, kind), hashed and compared whole in C: a Row compares itself in
    # Python, 5 ms for the thousands of units of a system.
    key = ("unit select", _frozen(params), all_units_label, units)

    def render():
        items = [{"value": "", "text": all_units_label}]
        for unit_id, name, kind in units:
            kind = UnitKind(kind)
            items.append({"value": str(unit_id), "text": name if kind == UnitKind.TEAM else f"{name} ({kind.label.lower()})"})
        return select_macro(dict(params, items=items))
    html = _keep(key, render)
    chosen = "" if chosen_id is None else str(int(chosen_id))
    # The macro writes " selected" straight after an option's value (nhsuk select template).
    return Markup(str(html).replace(f'<option value="{chosen}"', f'<option value="{chosen}" selected', 1))


def forget() -> None:
    """Drop every kept rendering (when full, and in tests comparing kept with fresh)."""
    global _size
    _kept.clear()
    _size = 0
