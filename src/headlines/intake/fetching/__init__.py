"""Fetching: getting bytes from the web, politely and safely (HTTP, addresses, robots.txt)."""
