"""sitegen: a key-account sales department's Excel forms -> a static intranet site."""

__version__ = "0.1.0"
