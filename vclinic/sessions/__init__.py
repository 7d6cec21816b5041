"""The session model every workflow's meetings use: sessions, participants, roles, access
levels, links and guests (see docs/workflows/sessions.md).

- :mod:`model` — the tables; :mod:`role` — roles, abilities and access levels (pure);
- :mod:`state` — SessionState, the loop-free decision logic; :mod:`roster` — what it holds;
  :mod:`message` — its messages;
- :mod:`actor` — SessionActor (``session:<id>``), registered by the core in bootstrap;
- :mod:`service` — SessionService, ``context.sessions``; :mod:`media` — the media seam;
- :mod:`link` — links and guests; :mod:`directory`, :mod:`creation`, :mod:`patient` — rows.
"""
