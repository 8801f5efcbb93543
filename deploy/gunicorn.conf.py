# gunicorn configuration of sanlian, for `make run` (Procfile) and for production (deploy/sanlian-web.service).
#
#   gunicorn --config deploy/gunicorn.conf.py sanlian.wsgi
#
# Every value can be changed from the environment, so the laptop and the server run the same file.
import multiprocessing
import os

# Where to listen. `make run`: 127.0.0.1:$PORT. Behind nginx, e.g. GUNICORN_BIND=unix:/run/sanlian/gunicorn.sock
# or 127.0.0.1:8000 (nginx proxies to it; never expose gunicorn directly to the internet).
bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:{}".format(os.environ.get("PORT", "8000")))

# Workers: (2 x cores) + 1 is gunicorn's rule of thumb for synchronous Django; WEB_CONCURRENCY overrides it (e.g. a
# small VM shared with PostgreSQL and Redis). Each worker also runs a few threads, so a slow Excel download does not
# hold up the pages of other users.
workers = int(os.environ.get("WEB_CONCURRENCY", multiprocessing.cpu_count() * 2 + 1))
threads = int(os.environ.get("GUNICORN_THREADS", "4"))
worker_class = "gthread"

# A request running longer than this is killed and logged (the half-yearly report is built by the Celery worker,
# not in a request). Keep nginx's proxy_read_timeout a little above it.
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "60"))
graceful_timeout = 30
keepalive = 5

# Recycle workers now and then (with jitter, not all at once): memory that grew with a big import is given back.
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "2000"))
max_requests_jitter = 200

# Logs to stderr (systemd's journal, honcho's console). The portal itself logs one line per request with its
# request id, user and duration (sanlian/logs.py), so gunicorn's own access log is off unless GUNICORN_ACCESSLOG
# names a file (or "-" for stdout).
accesslog = os.environ.get("GUNICORN_ACCESSLOG") or None
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOGLEVEL", "info")

# Uploads larger than FILE_UPLOAD_MAX_MEMORY_SIZE are spooled to this folder (RAM-backed when available).
worker_tmp_dir = "/dev/shm" if os.path.isdir("/dev/shm") else None

# Only trust X-Forwarded-* from the proxy on this machine (nginx); the portal reads X-Forwarded-Proto to know a
# request came over https (SECURE_PROXY_SSL_HEADER).
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")

# gunicorn's control socket (`gunicornc`) is not used; without it two portals on one machine cannot collide on the
# one default socket path.
control_socket_disable = True
