"""Operations on approvals. Every change of an approval goes through these modules, locked and recorded.

The package imports nothing: callers import each name from the module that defines it (decisions, execution,
requests, recovery, conflicts, verbs, ...), so no layer reaches the rest through this door.
"""
