"""Adaptive Card builders (version 1.5, Action.Execute), typed with microsoft-teams-cards.

Builders take domain objects and a language and return cards; they read no
environment and touch no I/O. A card carries only record ids, never state.
"""
