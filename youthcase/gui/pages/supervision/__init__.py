"""The supervision page and its screens, a module each: ``page`` (the tabs, the cases behind a
figure and the case host), ``overview`` (what it loads), ``dashboard`` (with ``figure_table``),
``closures``, ``drill`` (the cases behind a figure, and reassigning them), ``audit`` and
``access``."""

from youthcase.gui.pages.supervision.figure_table import FigureTable
from youthcase.gui.pages.supervision.overview import load_overview
from youthcase.gui.pages.supervision.page import ACCESS_TAB, AUDIT_TAB, CLOSURES_TAB, DASHBOARD_TAB, SupervisionPage

__all__ = [
    "ACCESS_TAB",
    "AUDIT_TAB",
    "CLOSURES_TAB",
    "DASHBOARD_TAB",
    "FigureTable",
    "SupervisionPage",
    "load_overview",
]
