"""Reading police and ONS performance spreadsheets into measure values.

One module per job, each importing only from those before it:
``readers`` opens a file as rows of cells (``xlsx`` and ``ods`` stream a sheet's XML for it);
``layouts``, ``mapping``, ``period_labels`` and ``recognise``
recognise its header, sheet, lines, areas and periods; ``validate`` checks cells and keeps errors and
skipped rows; ``totals`` adds lines up into measures; ``passes`` runs the one pass that previews or
applies a file; ``writing`` compares its figures with the database and writes them; ``rollback`` puts an
applied import back; ``summary`` reports what a pass found. ``measures.services`` runs these steps, and
holds the rule that an import (or its rollback) writes everything or nothing.

``populations`` is a job of its own: ONS mid-year population estimates into areas' populations by year
(for rates per 1,000 residents), read with ``readers`` and matched with ``mapping``, all or nothing.
"""
