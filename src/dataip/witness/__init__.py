"""An independent witness (独立见证方) speaking C2SP tlog-witness, for any dataip registry.

``dataip witness`` runs it as its own process, with its own Ed25519 cosigning key and its own
SQLite store of the latest checkpoint it cosigned per log. It verifies the log's signature and
the consistency proof from the checkpoint it last cosigned before cosigning
(C2SP tlog-cosignature, ``cosignature/v1``), and refuses a checkpoint that is not consistent
with it: a registry restored from an old backup that carries on cannot get its forked tree
cosigned. This package imports only :mod:`dataip.evidence` (no Django, no database of the
registry): a partner court, bank or notary can run it alone.

* :mod:`.core` -- the protocol: :class:`~.core.Witness` answers one ``add-checkpoint`` body;
* :mod:`.store` -- the latest cosigned checkpoint per origin, updated by compare-and-swap;
* :mod:`.config` -- the logs it witnesses, its key file;
* :mod:`.server` -- the WSGI application, served by waitress.
"""
