"""Putting a built edition in place without ever leaving a half-written site.

Not a Pelican plugin: the functions here are called by tasks.py.
"""
