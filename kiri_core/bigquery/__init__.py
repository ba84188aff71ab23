"""BigQuery sources: per-client table or query, column mapping, import and scheduled refresh.

Modules: ``models`` (tables), ``settings`` (environment), ``credentials`` (encrypted keys),
``errors`` (failures in plain words), ``mapping`` (BigQuery columns onto Kiri's format),
``client`` (reads rows over REST with bounded timeouts and retries), ``sources`` (set up,
test connection, history), ``importer`` (validate and save a dataset version, re-run),
``background`` ("Import now" as a queued job, stale imports failed) and ``schedule`` (refresh
through RQ's scheduler).
"""
