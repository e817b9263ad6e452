"""Review cases: one queue for KYB, KYC, applications and alerts, with risk routing and four eyes.

`models.py` holds the case, its notes, requests for information and declared conflicts;
`risk.py` scores a case from its subject; `services.py` opens, routes, assigns and decides cases
(the kind's own decision service applies a final decision: `gate` is the four-eyes check each of
them calls first); `selectors.py` reads the queue.
"""
