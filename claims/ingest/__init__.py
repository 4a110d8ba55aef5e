"""The settlement ingest pipeline: read (streaming), validate rows, stage, check sets, apply.

`readers` and `rows` are plain Python and know nothing of the database; `stage` and `apply` hold
the database side.
"""
