"""Small modal forms. Each runs its slow save on the background queue and stays open on errors."""

DIALOG_MARGINS = (24, 20, 24, 18)
