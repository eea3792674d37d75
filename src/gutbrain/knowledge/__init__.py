"""Cited knowledge shipped with gutbrain: module definitions, references, ...

Everything here is read from package data through :mod:`importlib.resources`;
nothing is downloaded.
"""
