"""Flex usage warehouse: command line, settings and sample-feed generator."""

__version__ = "0.1.0"
