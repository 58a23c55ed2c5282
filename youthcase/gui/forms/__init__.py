"""Small modal forms. Each runs its slow save on the background queue and stays open on errors."""
