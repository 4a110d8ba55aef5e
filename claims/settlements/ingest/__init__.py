"""The settlement ingest pipeline: read (streaming), validate rows, stage, check sets, apply.

`spec` declares the columns, their names and the row rules once; `forms` how each kind of cell is
read. From them come the general path (`readers`, `header`, `rows`: any file, in Python) and the
fast path (`fastcsv`: a plain CSV file, proved line by line and converted by PostgreSQL's COPY).
`stage` and `checks` hold the database side.
"""
