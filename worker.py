"""`python worker.py`: an RQ worker on the app's queues (needs ``REDIS_URL``).

Applies migrations, then works the ``kiri-runs`` and ``kiri-default`` queues with RQ's
scheduler, and reaps runs and BigQuery imports whose worker died (no heartbeat) every few
seconds.
"""

from __future__ import annotations

import argparse
import logging
import threading

from rq import Worker

from kiri_core import config
from kiri_core.bigquery.background import reap_stale_imports
from kiri_core.db.session import session_scope, upgrade_database
from kiri_core.engine.features import import_prophet
from kiri_core.jobs import record_engine_availability
from kiri_core.queue import QUEUE_NAMES, redis_connection
from kiri_core.services.runs import reap_stale_runs

REAP_INTERVAL_S = 10.0
log = logging.getLogger("kiri.worker")


def reap_forever(stop: threading.Event) -> None:
    """Fail runs and imports left without a heartbeat, until ``stop`` is set."""
    while not stop.wait(REAP_INTERVAL_S):
        try:
            with session_scope() as session:
                runs = reap_stale_runs(session)
                imports = reap_stale_imports(session)
            if runs or imports:
                log.warning("marked stale runs %s and imports %s failed", runs, imports)
        except Exception:
            log.exception("reaping stale runs and imports failed")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python worker.py", description=__doc__)
    parser.add_argument("--burst", action="store_true", help="quit when the queues are empty")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    if config.redis_url() is None:
        parser.error("REDIS_URL is not set. Without Redis the app runs jobs itself; "
                     "start a worker only for the production set-up.")
    try:
        config.time_zone()  # the PDF's date: a wrong name fails here, not in the first job
    except config.ConfigurationError as error:
        parser.error(str(error))
    upgrade_database()
    # before any thread starts: a job's work horse is forked from this process, and a lock
    # another thread holds at the fork (the Robyn check's database use, twice) hangs it
    record_engine_availability()
    stop = threading.Event()
    threading.Thread(target=reap_forever, args=(stop,), daemon=True).start()
    import_prophet()  # job processes fork from this one and inherit the import
    worker = Worker(list(QUEUE_NAMES), connection=redis_connection())
    try:
        worker.work(burst=args.burst, with_scheduler=True)
    finally:
        stop.set()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
