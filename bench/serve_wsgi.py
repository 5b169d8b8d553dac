"""A small threaded WSGI server for benchmarks: production settings, WhiteNoise for static files.

Usage: python bench/serve_wsgi.py PORT  (prints READY when listening)
"""

import os
import sys
from pathlib import Path
from socketserver import ThreadingMixIn
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "studyapp.settings")


class ThreadingWSGIServer(ThreadingMixIn, WSGIServer):
    daemon_threads = True


class QuietHandler(WSGIRequestHandler):
    def log_message(self, *args):
        pass


def main() -> None:
    from django.core.wsgi import get_wsgi_application

    application = get_wsgi_application()
    server = make_server(
        "127.0.0.1",
        int(sys.argv[1]),
        application,
        server_class=ThreadingWSGIServer,
        handler_class=QuietHandler,
    )
    print("READY", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
