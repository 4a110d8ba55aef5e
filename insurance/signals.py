"""Signals the register sends to the layers above it, which it must not import (DESIGN rule 13).

`enrollment_cancelled` is sent by `insurance.services.enrollment_cancel` inside its transaction,
after the cancellation is saved, with `enrollment`, `on_date`, `actor` and `request`. A receiver
writes what follows from it in its own app (claims: the unused personal quota goes to the common
pool, R-ENT-2) and may return a sentence for the clerk; an exception rolls the cancellation back.
"""

from django.dispatch import Signal

enrollment_cancelled = Signal()
