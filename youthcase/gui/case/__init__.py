"""One case on screen, shared by every page that opens cases.

``host`` is where a page shows a case (the caseload and the supervision page each have one);
``view`` is the case view: its header and a tab per module: ``person``, ``incident``, ``contacts``,
``risk``, ``safeguarding``, ``referrals`` (with ``referral_detail``), ``plan``, ``supervision`` and
``history``. ``context`` is what the tabs share (the session, the queue, the prompts, the one way
to open a form on the case), ``blocks`` the widgets they are built from and ``signoff`` the
supervisor's sign-off line on the Risk and Safeguarding tabs.
"""
