"""Mailboxes as far as meetings need: the answers that reach the organizer's Inbox."""
