"""Upkeep (系统维护): the work that needs both the ledger and the registry above it.

The ledger (:mod:`dataip.ledger`) stores leaves, trees, checkpoints and keys and knows nothing
of applications or events; the registry records events as leaves. What needs both lives here,
one module per job:

* :mod:`~dataip.upkeep.rotation` -- a key rotation announced by a logged event, signed by the
  old key; finishing one that stopped half-way;
* :mod:`~dataip.upkeep.audit` -- ``dataip audit``: the ledger's own audit of its tree, keys and
  checkpoints, with every registry event checked against its leaf;
* :mod:`~dataip.upkeep.tick` -- ``dataip tick``: the registry's time-driven transitions, then
  the ledger's catch-up and the certificates that are due, as a list of steps (a witness
  cosigning round is one more step).
"""
