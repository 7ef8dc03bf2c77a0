"""Pages, split by who uses them: public, account, applicant, examiner, expert.

Each view checks the request, calls ``registry.services`` (to act) or ``registry.queries`` (to
read, the same read side as the API), and renders; no view decides anything about the procedure.
"""

from dataip.web.views.public import home

__all__ = ["home"]
