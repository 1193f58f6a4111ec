"""Reading: files, folders and fetched bytes to raw items (pages, feed entries, dump records),
with their character encoding decided here."""
