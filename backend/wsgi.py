"""WSGI entry point of the web server (`python -m backend.serve`): `backend.wsgi:app`."""

import gc

from backend import create_app

app = create_app()

# The objects of start-up (modules, mappers, schemas) live as long as the worker: kept out of
# the garbage collector, a full collection no longer walks them all (a pause in the p99 under
# load). Fewer young collections too: a request makes thousands of short-lived objects.
gc.collect()
gc.freeze()
gc.set_threshold(20_000, 20, 20)
