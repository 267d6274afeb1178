"""The Yhdessä aika process itself: teams, practices, slots, convenings.

Pure Python: no SDK, no I/O. Adapters (graph/, bot/, sandbox/) depend on this
package, never the reverse.
"""
