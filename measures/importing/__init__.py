"""Reading police and ONS performance spreadsheets into measure values.

``readers`` opens a file as rows of cells, ``layouts`` finds the header and turns rows into
observations (area, offence line, period, value), ``mapping`` resolves areas, lines and periods
against the database, and ``engine`` runs the one pass that previews or applies a file.
"""
