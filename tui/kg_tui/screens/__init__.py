"""Screens of the browser: the main walk, help, path, trace and filter."""
