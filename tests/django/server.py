"""oauthflow's second authorization server for tests: Django OAuth Toolkit on 127.0.0.1.

Binds 127.0.0.1 on the port given as `--port N` (default 0: an ephemeral one), creates a fresh
sqlite database in a temporary directory, the test user and applications
(dotserver/clients.py) and an RSA signing key, then prints exactly one line
`OAUTHFLOW_DOT_READY <issuer>` on stdout (the issuer is `http://127.0.0.1:PORT/o`) and serves
until its stdin closes (so it never outlives the process that started it), SIGTERM or SIGINT.

Run it with the virtualenv the tests create (`tests/django/.venv`, from requirements.txt).
"""

import argparse
import os
import secrets
import shutil
import signal
import sys
import tempfile
import threading

READY_PREFIX = "OAUTHFLOW_DOT_READY"


def fail(message: str) -> None:
    sys.stderr.write(f"OAUTHFLOW_DOT_FAILED {message}\n")
    sys.stderr.flush()
    os._exit(2)


def exit_now(workdir: str) -> None:
    """Leaves at once (serving threads included), removing the database directory."""
    shutil.rmtree(workdir, ignore_errors=True)
    os._exit(0)


def exit_when_stdin_closes(workdir: str) -> None:
    def watch() -> None:
        try:
            while sys.stdin.buffer.read(4096):
                pass
        finally:
            exit_now(workdir)

    threading.Thread(target=watch, name="stdin-watch", daemon=True).start()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--no-stdin-watch", action="store_true")
    args = parser.parse_args()

    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

    # Bind before configuring: the issuer names the port.
    from django.core.servers.basehttp import ThreadedWSGIServer, WSGIRequestHandler

    try:
        httpd = ThreadedWSGIServer(("127.0.0.1", args.port), WSGIRequestHandler)
    except OSError as e:
        fail(f"cannot listen on 127.0.0.1:{args.port}: {e}")
    port = httpd.server_address[1]
    base = f"http://127.0.0.1:{port}"
    issuer = f"{base}/o"

    workdir = tempfile.mkdtemp(prefix="oauthflow-dot-")
    import django
    from django.conf import settings

    from dotserver import settings as dot_settings

    settings.configure(
        **dot_settings.build(
            issuer=issuer,
            base=base,
            database=os.path.join(workdir, "db.sqlite3"),
            secret_key=secrets.token_urlsafe(50),
        )
    )
    django.setup()

    from django.core.management import call_command
    from django.core.wsgi import get_wsgi_application

    from dotserver import clients

    call_command("migrate", verbosity=0, interactive=False)
    clients.create_all()

    httpd.set_app(get_wsgi_application())
    signal.signal(signal.SIGTERM, lambda *_: exit_now(workdir))
    signal.signal(signal.SIGINT, lambda *_: exit_now(workdir))
    if not args.no_stdin_watch:
        exit_when_stdin_closes(workdir)
    sys.stdout.write(f"{READY_PREFIX} {issuer}\n")
    sys.stdout.flush()
    httpd.serve_forever()


if __name__ == "__main__":
    main()
