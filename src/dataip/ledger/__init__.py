"""The evidence ledger in the database (证据账本): the thin Django side of ``dataip.evidence``.

An append-only Merkle log: every registry event is a leaf, appended in the same transaction as
the event; every complete subtree hash is stored, so a proof reads its O(log n) hashes in one
query. The ledger is a floor beneath the registry: it stores leaves, trees, checkpoints and keys
and imports nothing above it; what needs both is in :mod:`dataip.upkeep`.
"""
