"""Evening Headlines: a self-hosted daily news-digest newsletter."""

__version__ = "0.1.0"
