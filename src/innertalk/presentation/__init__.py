"""Entry points that turn the outside world into use-case calls."""
