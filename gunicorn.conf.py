"""gunicorn settings, as in production (see the README's benchmark table for the choice)."""

import multiprocessing
import os

bind = f"{os.environ.get('HOST', '127.0.0.1')}:{os.environ.get('PORT', '8000')}"
workers = int(os.environ.get("WEB_WORKERS", multiprocessing.cpu_count()))
worker_class = os.environ.get("WEB_WORKER_CLASS", "gthread")
threads = int(os.environ.get("WEB_THREADS", "4"))
keepalive = 5
timeout = 30
graceful_timeout = 20
max_requests = 10_000
max_requests_jitter = 1_000
accesslog = os.environ.get("WEB_ACCESS_LOG", "-")
# Never log query strings' secrets: the phone sends tokens in headers, not URLs.
access_log_format = '%(h)s "%(r)s" %(s)s %(b)s %(M)sms'
