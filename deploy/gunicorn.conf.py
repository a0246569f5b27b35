"""Gunicorn settings for JFO Registry (`gunicorn -c deploy/gunicorn.conf.py`).

Every value can be changed from the environment (the systemd unit reads /srv/jfo-registry/.env):

GUNICORN_BIND                  address to listen on (default 127.0.0.1:8000, behind a reverse proxy)
GUNICORN_WORKERS               worker processes (default 2 x CPU cores + 1; WEB_CONCURRENCY is also read)
GUNICORN_TIMEOUT               seconds a worker may take on one request before it is restarted (default 60)
GUNICORN_FORWARDED_ALLOW_IPS   proxies trusted for X-Forwarded-Proto (default 127.0.0.1,::1;
                               FORWARDED_ALLOW_IPS is also read). The client's address (lockout,
                               throttling) is the application's: TRUSTED_PROXY_COUNT in .env.
GUNICORN_CONTROL_SOCKET        gunicornc control socket (the systemd unit puts it in /run/jfo-registry)
"""

import os
from pathlib import Path


def _cores() -> int:
    try:
        return len(os.sched_getaffinity(0))  # the CPUs this process may use (containers, cpusets)
    except AttributeError:  # not Linux
        return os.cpu_count() or 1


# The project directory (this file is deploy/gunicorn.conf.py), whatever the current directory.
chdir = str(Path(__file__).resolve().parent.parent)
wsgi_app = "jfo_registry.wsgi:application"

bind = [
    address.strip() for address in (os.environ.get("GUNICORN_BIND") or "127.0.0.1:8000").split(",") if address.strip()
]
workers = int(os.environ.get("GUNICORN_WORKERS") or os.environ.get("WEB_CONCURRENCY") or 2 * _cores() + 1)
worker_class = "sync"

# Reports and document uploads can take a while; a stuck worker is still killed and replaced.
timeout = int(os.environ.get("GUNICORN_TIMEOUT") or 60)
graceful_timeout = 30  # on stop/reload, requests in progress get this long to finish
# Request lines (method, path, query string) up to 8 KiB, the size nginx itself accepts by default
# (large_client_header_buffers 4 8k): report filters fit, and the proxy sets the limit, not us.
limit_request_line = 8190
keepalive = 5  # seconds; the reverse proxy keeps connections open to us
# Recycle workers now and then so a slow leak never grows (jitter: not all at once).
max_requests = 1000
max_requests_jitter = 100

# Only these proxies may say a request came over HTTPS (X-Forwarded-Proto), which is what lets
# Django see request.is_secure() (secure cookies, SECURE_SSL_REDIRECT, CSRF) behind the proxy.
forwarded_allow_ips = (
    os.environ.get("GUNICORN_FORWARDED_ALLOW_IPS") or os.environ.get("FORWARDED_ALLOW_IPS") or "127.0.0.1,::1"
)

# Logs: access log to stdout, errors to stderr; under systemd both go to the journal.
accesslog = "-"
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOGLEVEL") or "info"
# The default format plus the request time in seconds (%(L)s).
access_log_format = '%(h)s %(l)s %(u)s %(t)s "%(r)s" %(s)s %(b)s "%(f)s" "%(a)s" %(L)ss'

proc_name = "jfo-registry"
# Worker heartbeat files in memory, not on disk (a blocked disk would make workers look dead).
if os.path.isdir("/dev/shm"):
    worker_tmp_dir = "/dev/shm"
if os.environ.get("GUNICORN_CONTROL_SOCKET"):
    control_socket = os.environ["GUNICORN_CONTROL_SOCKET"]
