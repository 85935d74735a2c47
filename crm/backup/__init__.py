"""Backups that restore: `flask crm backup FILE` and `flask crm restore FILE --yes`.

A backup is one tar archive: a manifest (engine, schema revision, row count of every table,
checksum of the database copy), the database copy itself (SQLite's online backup, or
`pg_dump -Fc` on PostgreSQL, both taken from one consistent snapshot) and the attachments folder
when there is one. A restore checks the whole archive before it touches the database, goes
only into an empty database, and checks the result against the manifest.
"""
