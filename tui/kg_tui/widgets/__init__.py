"""Widgets of the browser: note view, neighbourhood, near list, breadcrumb, concept map, search."""
