"""``topic-alert doctor``: check an operator's setup and say what to fix, in one table.

:func:`diagnose` runs the checks (``diagnose.py``) and returns one :class:`Row` each; each
check lives with its kind (``telegram.py``, ``database.py``, ``feeds.py``) and returns its
row; ``report.py`` renders the table. Nothing is stored and nothing is sent.
"""

from bot.doctor.diagnose import Progress, diagnose
from bot.doctor.report import Row, Status, render_table

__all__ = ["Progress", "Row", "Status", "diagnose", "render_table"]
