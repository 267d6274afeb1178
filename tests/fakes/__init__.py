"""Hand-written in-memory fakes of every port in services/ports.py, for service tests without sockets.

Each fake keeps state a test can read back (the events in a calendar, the files in a drive, the records and
their eTags in a store, the cards a person received), so tests assert what happened, not which calls were
made. Time is an input: every fake that needs "now" reads the same FakeClock.
"""
