"""Extraction: a raw item to a clean article — the main text and metadata of a page or record,
then scrubbed of page furniture."""
