"""Settlement rows of the what-if calculator: checked once as text, rebuilt without checking.

`Settlement.from_mapping` reads any mapping (text, Decimal, ORM values) and is the rule for what
a cell means; it costs a dict and a `to_money` call per amount. Most cells of a real file are
already in the form that rule produces: an amount of digits with exactly two decimals is the
Decimal `to_money` gives (same digits, same exponent), so one compiled regex proves each such
cell and its text is kept. A cell in any other form
is read by the engine's own `to_money`; a row where anything fails is read again by
`Settlement.from_mapping`, which refuses it with the same error as before (the same column,
the same message). Nothing is guessed: the fast path accepts only what the slow one turns into
the very same value.

A checked row is a compact tuple of text (`marshal`-able: no objects, no pickled Decimals),
which the spill stores and `settlement()` turns back into a `Settlement` once the rows are
sorted by person.
"""

from __future__ import annotations

import re
from dataclasses import MISSING, fields
from datetime import datetime
from decimal import Decimal
from operator import itemgetter

from insurance.engine import AMOUNT_FIELDS, Settlement
from insurance.engine.money import to_money

_SEP = "\x1f"  # between a row's amount cells
# An amount as `to_money` returns it: digits, a point, two decimals (at most 20 digits before
# the point, so quantising to the fen stays within the 28-digit context).
_CANONICAL = r"-?[0-9]{1,20}\.[0-9][0-9]"
_ZERO_CELL = f"{_SEP}0.00{_SEP}"  # what to_money makes of "0" and of a blank cell
_FIELDS = [f.name for f in fields(Settlement)]
_DATES = ("begndate", "enddate")
_TRUE = ("1", "True", "true")
_MEMO_SIZE = 4096  # amounts in another form (" 12.5"): their canonical text, remembered


def _getter(positions: list[int]):
    """cells -> the tuple of the cells at `positions` (itemgetter returns a bare item for one)."""
    if len(positions) == 1:
        (only,) = positions
        return lambda cells: (cells[only],)
    return itemgetter(*positions) if positions else lambda cells: ()


def _zeros(joined: str) -> str:
    """The cells "0" and blank as "0.00", to_money's value for both (an exact rewrite)."""
    padded = f"{_SEP}{joined}{_SEP}"
    for _twice in (1, 2):  # neighbours share a separator: one pass rewrites every other cell
        padded = padded.replace(f"{_SEP}0{_SEP}", _ZERO_CELL).replace(_SEP * 2, _ZERO_CELL)
    return padded[1:-1]


class SettlementRows:
    """The settlement columns of one file's header: `check` a row of cells, `settlement` back."""

    def __init__(self, header: list[str]):
        self.header = header
        self._width = len(header)
        at: dict[str, int] = {}
        for position, name in enumerate(header):
            if name in _FIELDS:
                at[name] = position  # a repeated column: the last wins (csv.DictReader)
        self._texts = [n for n in at if n not in AMOUNT_FIELDS and n not in _DATES
                       and n not in ("setl_time", "refd_setl_flag")]  # fmt: skip
        self._dates = [n for n in _DATES if n in at]
        self._amounts = [n for n in AMOUNT_FIELDS if n in at]
        self._texts_of = _getter([at[n] for n in self._texts])
        self._dates_of = _getter([at[n] for n in self._dates])
        self._amounts_of = _getter([at[n] for n in self._amounts])
        # every amount cell of the row canonical, and exactly as many cells as columns
        cells = max(len(self._amounts) - 1, 0)
        self._canonical = re.compile(f"(?:{_CANONICAL}{_SEP}){{{cells}}}{_CANONICAL}").fullmatch
        self._time_at = at["setl_time"]
        self._flag_at = at.get("refd_setl_flag")
        self.setl_id_at = self._texts.index("setl_id")  # in the row's first item, its texts
        self.psn_no_at = self._texts.index("psn_no")
        # settlement(): the values in the order (texts, setl_time, dates, flag, amounts,
        # defaults of the fields the file lacks), put in the dataclass's order by one getter
        given = [*self._texts, "setl_time", *self._dates, "refd_setl_flag", *self._amounts]
        absent = [f for f in fields(Settlement) if f.name not in given]
        assert all(f.default is not MISSING for f in absent)  # setl_id, psn_no, setl_time given
        self._absent = tuple(f.default for f in absent)
        order = given + [f.name for f in absent]
        self._order = itemgetter(*(order.index(name) for name in _FIELDS))
        self._memo: dict[str, str] = {}

    def check(self, cells: list[str]) -> tuple:
        """The row as (texts, setl_time, dates, refund flag, amounts joined by _SEP). Raises
        ValueError("column: reason") as `Settlement.from_mapping` does, for the same rows."""
        if len(cells) < self._width:
            return self._checked_slowly(cells)
        try:
            texts = tuple(map(str.strip, self._texts_of(cells)))
            time = cells[self._time_at].strip()
            datetime.fromisoformat(time)  # what the engine cannot read is refused
            dates = tuple(map(str.strip, self._dates_of(cells)))
            for day in dates:
                if day:
                    datetime.fromisoformat(day)
            flag = self._flag_at is not None and cells[self._flag_at].strip() in _TRUE
            amounts = _SEP.join(self._amounts_of(cells))
            if self._amounts and not self._canonical(amounts):
                amounts = _zeros(amounts)
                if not self._canonical(amounts):  # " 12.5", "1,000.00", "12.345", "x"...
                    amounts = _SEP.join(map(self._amount, self._amounts_of(cells)))
        except Exception:  # the engine's own reader says what is wrong, as before
            return self._checked_slowly(cells)
        if not (texts[self.setl_id_at] and texts[self.psn_no_at]):
            return self._checked_slowly(cells)  # a required cell is blank
        return texts, time, dates, flag, amounts

    def _amount(self, value: str) -> str:
        known = self._memo.get(value)
        if known is None:
            known = str(to_money(value.strip()))  # blank: 0.00
            if len(self._memo) < _MEMO_SIZE:
                self._memo[value] = known
        return known

    def _checked_slowly(self, cells: list[str]) -> tuple:
        """Exactly what the command did before: csv.DictReader's mapping (short rows padded with
        None, extra cells dropped), blank cells left out, then `Settlement.from_mapping`."""
        padded = [*cells, *[None] * (self._width - len(cells))]
        row = dict(zip(self.header, padded, strict=False))  # extra cells: no column, dropped
        cleaned = {k: v for k, v in row.items() if k and v is not None and v.strip() != ""}
        cleaned.setdefault("refd_setl_flag", "0")
        s = Settlement.from_mapping(cleaned)
        return (
            tuple(getattr(s, n) for n in self._texts),
            s.setl_time.isoformat(),
            tuple("" if getattr(s, n) is None else getattr(s, n).isoformat() for n in self._dates),
            s.refd_setl_flag,
            _SEP.join(str(getattr(s, n)) for n in self._amounts),
        )

    def setl_id(self, row: tuple) -> str:
        return row[0][self.setl_id_at]

    def psn_no(self, row: tuple) -> str:
        return row[0][self.psn_no_at]

    def settlement(self, row: tuple) -> Settlement:
        """The Settlement of a checked row (no checking: `check` made it)."""
        texts, time, dates, flag, amounts = row
        fromisoformat = datetime.fromisoformat
        values = (
            *texts,
            fromisoformat(time),
            *[fromisoformat(d).date() if d else None for d in dates],
            flag,
            *(map(Decimal, amounts.split(_SEP)) if self._amounts else ()),
            *self._absent,
        )
        return Settlement(*self._order(values))
