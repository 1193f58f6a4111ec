"""Scrubbing: what in an article's text is page furniture, not the article."""
