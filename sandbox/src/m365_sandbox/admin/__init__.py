"""The admin API (outside /v1.0, never faulted) and the admin page for people."""
