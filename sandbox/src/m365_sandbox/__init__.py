"""A local stand-in for Microsoft Graph v1.0 (users, calendars, rooms), for demos and tests.

Start it with ``python -m m365_sandbox --tenant FILE --db FILE`` or, in-process, with
:func:`m365_sandbox.runner.start_sandbox`. The package has no import-time side effects.
"""
