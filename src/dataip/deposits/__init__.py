"""Data deposit (数据存证), the registry's side: the holder's manifest in, a receipt out.

A holder fingerprints its dataset on its own machine (``dataip fingerprint``, see
``dataip.evidence.fingerprint``) and uploads the manifest — never the data. The registry:

* checks the manifest (structure, order, counts, the root recomputed from the records);
* makes the deposit statement (design note §4.2 step 5) with a salted commitment to the holder;
* timestamps it with its own RFC 3161 time-stamp authority (:mod:`.tsa`), or the external
  TSA of the ledger when configured;
* records a ``deposit`` event in the evidence ledger (digests only, no personal data), and
  the deposit number (``CZ`` + year + 8 digits), all in one transaction;
* indexes the manifest's MinHash signature, if any, in LSH bands (:mod:`.lsh`) so examiners
  are warned when an application cites a deposit that overlaps another holder's.

Modules: :mod:`.models`, :mod:`.services` (create, cite, uncite), :mod:`.queries` (who sees
what; overlap warnings), :mod:`.receipt` (JSON and PDF receipts), :mod:`.views` and
:mod:`.urls` (pages). The receipt is checked offline by ``dataip verify-deposit``
(``dataip.evidence.deposit_receipt``, no Django).
"""
