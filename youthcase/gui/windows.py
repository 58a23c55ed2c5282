"""Forms above the main window, and closing all of them when the vault locks.

Forms opened from a page are not Qt-modal: a modal dialog blocks its whole parent window, toolbar
and all, so the Lock button could not be pressed while a record was on screen. ``open_form``
shows the form and drops input for the workspace under it until it closes, so the page cannot
change under the form. A form opened from another form keeps Qt's window modality: Ctrl+L still reaches
the lock from there (see ``youthcase.gui.shell``).

``close_windows`` is the lock's: every menu, message box and dialog goes, innermost first, with
``done`` (not ``reject``: no "Discard?" question; forms keep their drafts).
"""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, QEvent, QObject, Qt
from PySide6.QtWidgets import QApplication, QDialog, QWidget

WORKSPACE = "workspace"  # the object name of the widget a page's forms disable
HOLDS = "openForms"  # on the workspace: the forms open above it
MAX_POPUPS = 20  # menus close one by one; a popup that will not close does not hang the lock


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
