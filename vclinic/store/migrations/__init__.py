"""Core schema migrations, one module per migration: ``mNNNN_<what>.py`` exporting ``MIGRATION``.

A migration module freezes the tables as they were when it was written (its own model classes),
so later changes to ``vclinic.store.model`` never alter what an old migration does.
"""
