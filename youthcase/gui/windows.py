"""Forms above the main window, and closing all of them when the vault locks.

Forms opened from a page are not Qt-modal: a modal dialog blocks its whole parent window, toolbar
and all, so the Lock button could not be pressed while a record was on screen. ``open_form``
shows the form and drops input for the workspace under it until it closes, so the page cannot
change under the form. A form opened from another form keeps Qt's window modality: Ctrl+L still reaches
the lock from there (see ``youthcase.gui.shell``).

``order_tabs`` makes Tab follow what the eye sees: the next widget is found from the layouts
(top to bottom, left to right), whatever order the widgets were made in. In a button box the
primary button comes first and Cancel takes no Tab (Escape cancels), so a space typed after
Tab from the last text field can never press Cancel and lose the form.

``close_windows`` is the lock's: every menu, message box and dialog goes, innermost first, with
``done`` (not ``reject``: no "Discard?" question; forms keep their drafts).
"""

from __future__ import annotations

from typing import cast

from PySide6.QtCore import QCoreApplication, QEvent, QObject, Qt
from PySide6.QtGui import QKeyEvent, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractButton,
    QApplication,
    QBoxLayout,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGridLayout,
    QLayout,
    QLayoutItem,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QSplitter,
    QStackedWidget,
    QTabWidget,
    QTextEdit,
    QWidget,
)

WORKSPACE = "workspace"  # the object name of the widget under a page's forms
HOLDS = "openForms"  # on the workspace: the forms open above it
MAX_POPUPS = 20  # menus close one by one; a popup that will not close does not hang the lock
PRIMARY_KEYS = ("Ctrl+Return", "Ctrl+Enter")
SCREEN_MARGIN = 48  # px kept free above and below a form (title bar, task bar)


def _workspace_of(widget: QWidget) -> QWidget | None:
    parent = widget.parentWidget()
    while parent is not None:
        if parent.objectName() == WORKSPACE:
            return parent
        if parent.isWindow():
            return None  # a form opened from a form
        parent = parent.parentWidget()
    return None


BLOCKED_INPUT = frozenset(
    {
        QEvent.Type.KeyPress,
        QEvent.Type.KeyRelease,
        QEvent.Type.MouseButtonPress,
        QEvent.Type.MouseButtonRelease,
        QEvent.Type.MouseButtonDblClick,
        QEvent.Type.Wheel,
        QEvent.Type.Shortcut,
        QEvent.Type.ContextMenu,
    }
)


def fit_screen(dialog: QDialog) -> None:
    """Never taller than the screen (a 768 px ward laptop): a long form scrolls inside instead."""
    anchor = dialog.parentWidget() or dialog
    screen = anchor.screen()
    if screen is None:
        return
    limit = screen.availableGeometry().height() - SCREEN_MARGIN
    if dialog.height() > limit:
        dialog.resize(dialog.width(), max(limit, dialog.minimumSizeHint().height()))


class _Holds(QObject):
    """The forms open above one workspace. While there are any, input for the workspace (keys,
    clicks, its shortcuts) is dropped by an application event filter; disabling the workspace
    would disable the forms too, as they are its children."""

    def __init__(self, workspace: QWidget) -> None:
        super().__init__(workspace)
        self.setObjectName(HOLDS)
        self.workspace = workspace
        self.forms: list[QDialog] = []

    def hold(self, dialog: QDialog) -> None:
        app = QCoreApplication.instance()
        if not self.forms and app is not None:
            app.installEventFilter(self)
        self.forms.append(dialog)
        dialog.finished.connect(lambda _result: self.release(dialog))

    def release(self, dialog: QDialog) -> None:
        if dialog not in self.forms:
            return
        self.forms.remove(dialog)
        app = QCoreApplication.instance()
        if not self.forms and app is not None:
            app.removeEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt's name
        if event.type() not in BLOCKED_INPUT:
            return False
        widget = watched if isinstance(watched, QWidget) else watched.parent()
        return (
            isinstance(widget, QWidget)
            and widget.window() is self.workspace.window()
            and (widget is self.workspace or self.workspace.isAncestorOf(widget))
        )


def open_form(dialog: QDialog) -> None:
    """Show a form above its page, leaving the toolbar (Lock, Hide names) usable."""
    order_tabs(dialog)
    fit_screen(dialog)
    workspace = _workspace_of(dialog)
    if workspace is None:
        dialog.open()
        return
    holds = workspace.findChild(_Holds, HOLDS, Qt.FindChildOption.FindDirectChildrenOnly)
    if holds is None:
        holds = _Holds(workspace)
    dialog.setModal(False)
    dialog.setWindowModality(Qt.WindowModality.NonModal)
    holds.hold(dialog)
    dialog.show()
    dialog.raise_()
    dialog.activateWindow()


def close_windows(root: QWidget) -> None:
    """Close every open menu, then every message box and dialog above ``root``, innermost first."""
    for _ in range(MAX_POPUPS):
        popup = QApplication.activePopupWidget()
        if popup is None:
            break
        popup.close()
    for _ in range(MAX_POPUPS):
        modal = QApplication.activeModalWidget()
        if not isinstance(modal, QDialog) or not root.isAncestorOf(modal):
            break
        modal.done(QDialog.DialogCode.Rejected)
    dialogs = [d for d in root.findChildren(QDialog) if d.isVisible()]
    dialogs.sort(key=_depth, reverse=True)
    for dialog in dialogs:
        dialog.done(QDialog.DialogCode.Rejected)


def _depth(widget: QObject) -> int:
    depth = 0
    parent = widget.parent()
    while parent is not None:
        depth += 1
        parent = parent.parent()
    return depth


VISUAL_TABS = "visualTabs"  # the window property that turns the visual Tab order on


class _VisualTabs(QObject):
    """Moves the focus on Tab and Shift+Tab in the windows ``order_tabs`` was called for, along
    the layouts as they are when the key is pressed (rows shown or added later included).

    Qt's own focus chain is left alone: rebuilding it with ``setTabOrder`` over rows whose
    fields are compound widgets (an editable combo box and its line edit) can leave loops."""

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt's name
        if event.type() != QEvent.Type.KeyPress or not isinstance(event, QKeyEvent):
            return False
        key, modifiers = event.key(), event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier
        if key == Qt.Key.Key_Backtab or (key == Qt.Key.Key_Tab and modifiers & Qt.KeyboardModifier.ShiftModifier):
            forward = False
        elif key == Qt.Key.Key_Tab and modifiers == Qt.KeyboardModifier.NoModifier:
            forward = True
        else:
            return False
        if not isinstance(watched, QWidget) or watched.window().property(VISUAL_TABS) is not True:
            return False
        if isinstance(watched, QPlainTextEdit | QTextEdit) and not watched.tabChangesFocus():
            return False
        window = watched.window()
        return move_focus(window, window.focusWidget() or watched, forward)  # from the focus, as Qt


_visual_tabs: _VisualTabs | None = None


def tab_chain(window: QWidget) -> list[QWidget]:
    """The widgets Tab visits in ``window`` now, in visual order."""
    return [w for w in _widget_order(window, window) if w.isVisible() and w.isEnabled()]


def move_focus(window: QWidget, current: QWidget, forward: bool) -> bool:
    chain = tab_chain(window)
    if not chain:
        return False
    holder = current
    while holder is not window and holder not in chain:  # the line edit inside a combo box
        parent = holder.parentWidget()
        if parent is None:
            break
        holder = parent
    if holder in chain:
        target = chain[(chain.index(holder) + (1 if forward else -1)) % len(chain)]
    else:
        target = chain[0 if forward else -1]
    target.setFocus(Qt.FocusReason.TabFocusReason if forward else Qt.FocusReason.BacktabFocusReason)
    if isinstance(target, QLineEdit):
        target.selectAll()  # as Qt does on Tab
    return True


def order_tabs(window: QWidget) -> None:
    """Make Tab in ``window`` follow the visual order of its layouts."""
    global _visual_tabs
    app = QCoreApplication.instance()
    if _visual_tabs is None and app is not None:
        _visual_tabs = _VisualTabs(app)
        app.installEventFilter(_visual_tabs)
    window.setProperty(VISUAL_TABS, True)
    for box in window.findChildren(QDialogButtonBox):
        for button in box.buttons():
            if box.buttonRole(button) is QDialogButtonBox.ButtonRole.RejectRole:
                button.setFocusPolicy(Qt.FocusPolicy.ClickFocus)  # Escape cancels; Tab never lands on it
    for scroll in window.findChildren(QScrollArea):
        scroll.setFocusPolicy(Qt.FocusPolicy.ClickFocus)  # no Tab stop of its own: its fields have them
    bound = {shortcut.key() for shortcut in window.findChildren(QShortcut)}
    for keys in PRIMARY_KEYS:
        if QKeySequence(keys) not in bound:  # Ctrl+Enter: the primary button, in every form
            primary = QShortcut(QKeySequence(keys), window)
            primary.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            primary.activated.connect(lambda window=window: _press_primary(window))


def _press_primary(window: QWidget) -> None:
    for button in window.findChildren(QPushButton):
        if button.isDefault() and button.isVisible() and button.isEnabled():
            button.click()
            return


def first_control(root: QWidget) -> QWidget | None:
    """The first widget of ``root`` that Tab would visit: where the focus goes on arrival."""
    return next((w for w in _widget_order(root, root) if w.isVisible() and w.isEnabled()), None)


def _widget_order(widget: QWidget, root: QWidget) -> list[QWidget]:
    if widget is not root and widget.isWindow():
        return []
    takes_tab = bool(widget.focusPolicy() & Qt.FocusPolicy.TabFocus) and widget.focusProxy() is None
    own = [widget] if takes_tab and widget is not root else []
    layout = widget.layout()
    if isinstance(widget, QDialogButtonBox):
        buttons = sorted(widget.buttons(), key=_button_rank)
        return [b for b in buttons if b.focusPolicy() & Qt.FocusPolicy.TabFocus]
    if isinstance(widget, QScrollArea):
        inner = widget.widget()
        return own + (_widget_order(inner, root) if inner is not None else [])
    if isinstance(widget, QTabWidget):
        pages = [widget.widget(i) for i in range(widget.count())]
        tab_bar = [widget.tabBar()] if widget.tabBar().focusPolicy() & Qt.FocusPolicy.TabFocus else []
        return tab_bar + [w for page in pages if page is not None for w in _widget_order(page, root)]
    if isinstance(widget, QStackedWidget | QSplitter):
        children = [widget.widget(i) for i in range(widget.count())]
        return own + [w for child in children if child is not None for w in _widget_order(child, root)]
    if layout is None:
        return own
    return own + _layout_order(layout, root)


def _button_rank(button: QAbstractButton) -> int:
    box = button.parentWidget()
    role = box.buttonRole(button) if isinstance(box, QDialogButtonBox) else None
    default = getattr(button, "isDefault", lambda: False)()
    if default or role is QDialogButtonBox.ButtonRole.AcceptRole:
        return 0
    return 2 if role is QDialogButtonBox.ButtonRole.RejectRole else 1


def _layout_order(layout: QLayout, root: QWidget) -> list[QWidget]:
    items: list[QLayoutItem] = []
    if isinstance(layout, QFormLayout):
        roles = (QFormLayout.ItemRole.LabelRole, QFormLayout.ItemRole.FieldRole, QFormLayout.ItemRole.SpanningRole)
        for row in range(layout.rowCount()):
            items.extend(item for role in roles if (item := layout.itemAt(row, role)) is not None)
    elif isinstance(layout, QGridLayout):
        cells = sorted(
            range(layout.count()), key=lambda i: cast(tuple[int, int, int, int], layout.getItemPosition(i))[:2]
        )
        items = [item for i in cells if (item := layout.itemAt(i)) is not None]
    else:
        items = [item for i in range(layout.count()) if (item := layout.itemAt(i)) is not None]
        if isinstance(layout, QBoxLayout) and layout.direction() in (
            QBoxLayout.Direction.RightToLeft,
            QBoxLayout.Direction.BottomToTop,
        ):
            items.reverse()
    order: list[QWidget] = []
    for item in items:
        child_widget, child_layout = item.widget(), item.layout()
        if child_widget is not None:
            order.extend(_widget_order(child_widget, root))
        elif child_layout is not None:
            order.extend(_layout_order(child_layout, root))
    return order
