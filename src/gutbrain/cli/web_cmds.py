"""``gutbrain serve`` and ``gutbrain createowner``: the practice web app (needs the web extra)."""

from __future__ import annotations

import ipaddress
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Annotated, Any

import typer

from gutbrain.cli.app import app, handle_errors
from gutbrain.errors import OptionError

__all__ = ["createowner", "serve"]

SETTINGS = "gutbrain.web.settings.production"
#: gunicorn sized for 2 cores: 2 processes × 4 threads (measured best on SQLite WAL).
WORKERS = 2
THREADS = 4

DataDirOpt = Annotated[
    Path | None,
    typer.Option(
        "--data-dir",
        help="Folder for the database, secret key and files [env GUTBRAIN_DATA_DIR; "
        "default ./gutbrain-data].",
    ),
]


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def _setup_django(data_dir: Path | None) -> None:
    """Point Django at the production settings and the data folder, and start it."""
    if data_dir is not None:
        os.environ["GUTBRAIN_DATA_DIR"] = str(data_dir.expanduser().resolve())
    os.environ["DJANGO_SETTINGS_MODULE"] = SETTINGS
    try:
        import django
    except ImportError:
        raise OptionError(
            "the practice app is not installed",
            fix='pip install "gutbrain[web]"',
        ) from None
    django.setup()


def _prepare_database() -> None:
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=0)
    call_command("createcachetable", verbosity=0)


def _environment_for(host: str) -> None:
    """Defaults that depend on where we listen (never overriding what the user set)."""
    loopback = _is_loopback(host)
    if "GUTBRAIN_HTTPS" not in os.environ:
        # Plain HTTP only on this machine; elsewhere a TLS proxy must sit in front.
        os.environ["GUTBRAIN_HTTPS"] = "0" if loopback else "1"
    if "GUTBRAIN_ALLOWED_HOSTS" not in os.environ:
        if loopback:
            os.environ["GUTBRAIN_ALLOWED_HOSTS"] = "127.0.0.1,localhost,[::1]"
        elif host in {"0.0.0.0", "::", "[::]"}:
            raise OptionError(
                f"--host {host} listens on every address, so the app cannot tell its own name",
                fix="set GUTBRAIN_ALLOWED_HOSTS to the public host name(s), e.g. "
                "practice.example.org",
            )
        else:
            os.environ["GUTBRAIN_ALLOWED_HOSTS"] = host


def _print_demo(logins: list[dict[str, str]], url: str) -> None:
    typer.echo("Demo practice ready. These passwords are shown only now:")
    for login in logins:
        typer.echo(f"  {login['role']:<13} {login['email']:<38} password: {login['password']}")
    typer.echo(
        "Owner and practitioner must also enter a code from an authenticator app; add their "
        "TOTP secret to one (or: oathtool --totp -b SECRET):"
    )
    for login in logins:
        if login.get("totp_secret"):
            typer.echo(f"  {login['role']:<13} TOTP secret: {login['totp_secret']}")
            typer.echo(f"  {'':<13} {login['totp_uri']}")
    typer.echo(f"Open {url} and sign in.")


def _command(command: str, **options: Any) -> str:
    """Run one of the app's management commands; its CommandError becomes an OptionError."""
    from django.core.management import CommandError, call_command

    try:
        return str(call_command(command, **options) or "")
    except CommandError as exc:
        raise OptionError(str(exc)) from None


@app.command()
@handle_errors
def serve(
    host: Annotated[str, typer.Option("--host", help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", min=1, max=65535, help="Port.")] = 8000,
    data_dir: DataDirOpt = None,
    demo: Annotated[
        bool,
        typer.Option(
            "--demo", help="First create a demo practice with the demo outputs; print logins."
        ),
    ] = False,
) -> None:
    """Run the practice web app: migrate, collect static files, serve with gunicorn next to
    the background task worker (upload analyses, booking reminders)."""
    _environment_for(host)
    # the settings refuse a bad GUTBRAIN_WEB_SWITCH_MS here, not in a worker
    _setup_django(data_dir)
    from django.conf import settings
    from django.core.management import call_command

    _prepare_database()
    call_command("collectstatic", interactive=False, verbosity=0)
    shown = f"[{host}]" if ":" in host and not host.startswith("[") else host
    if getattr(settings, "HTTPS", True):
        url = f"https://{settings.ALLOWED_HOSTS[0]}/"
        where = f"listening on {shown}:{port} for the TLS proxy in front (GUTBRAIN_HTTPS=1)"
    else:
        url = f"http://{shown}:{port}/"
        where = f"plain HTTP on {shown}:{port}, this machine only (GUTBRAIN_HTTPS=0)"
    typer.echo(f"gutbrain practice app: {where}; data in {settings.DATA_DIR}")
    if demo:
        _print_demo(json.loads(_command("gutbrain_demo")), url)
    else:
        typer.echo(f"Open {url}")
    argv = [
        sys.executable,
        "-m",
        "gunicorn",
        "gutbrain.web.wsgi:application",
        "--bind",
        f"{shown}:{port}",
        "--worker-class",
        "gthread",
        "--workers",
        os.environ.get("GUTBRAIN_WEB_WORKERS", str(WORKERS)),
        "--threads",
        os.environ.get("GUTBRAIN_WEB_THREADS", str(THREADS)),
        "--timeout",
        "60",
        "--graceful-timeout",
        "10",
        "--forwarded-allow-ips",
        os.environ.get("GUTBRAIN_FORWARDED_ALLOW_IPS", "127.0.0.1,::1"),
        "--access-logfile",
        "-",
        "--error-logfile",
        "-",
        "--no-control-socket",
    ]
    # before any request or task can run: remove what a killed server or worker left behind
    _command("gutbrain_worker", recover_only=True, clean_all=True)
    sys.stdout.flush()
    sys.stderr.flush()
    raise typer.Exit(_supervise(argv, [sys.executable, "-m", "django", "gutbrain_worker"]))


def _stop_with_parent() -> None:
    """Run in each child before it starts: on Linux, have the kernel send it SIGTERM when
    ``gutbrain serve`` dies, even by SIGKILL, so no orphaned gunicorn keeps the port and no
    orphaned worker runs beside the next server's (elsewhere the worker watches its parent)."""
    if not sys.platform.startswith("linux"):
        return
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass


def _supervise(server_argv: list[str], worker_argv: list[str]) -> int:
    """Run gunicorn and the task worker side by side; restart the worker if it dies (it
    re-queues what it was running); on SIGTERM / SIGINT / SIGHUP, or when gunicorn ends, stop
    both. Returns gunicorn's exit code (0 after a stop signal)."""
    stop: list[int] = []

    def on_signal(signum: int, frame: object) -> None:
        stop.append(signum)

    for sig in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
        signal.signal(sig, on_signal)
    server = subprocess.Popen(server_argv, preexec_fn=_stop_with_parent)
    worker = subprocess.Popen(worker_argv, preexec_fn=_stop_with_parent)
    restarts = 0
    while not stop and server.poll() is None:
        if worker.poll() is not None and restarts < 20:
            restarts += 1
            typer.echo(
                f"gutbrain: the task worker stopped (exit {worker.returncode}); restarting it",
                err=True,
            )
            time.sleep(min(0.5 * restarts, 5.0))
            worker = subprocess.Popen(worker_argv, preexec_fn=_stop_with_parent)
        time.sleep(0.2)
    for child in (server, worker):
        if child.poll() is None:
            child.send_signal(signal.SIGTERM)
    deadline = time.monotonic() + 20
    for child in (server, worker):
        try:
            child.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            child.kill()
            child.wait()
    return 0 if stop else (server.returncode or 0)


@app.command()
@handle_errors
def createowner(
    email: Annotated[str, typer.Option("--email", help="The owner's e-mail address (login).")],
    data_dir: DataDirOpt = None,
    practice: Annotated[
        str, typer.Option("--practice", help="Name of the practice.")
    ] = "My practice",
    name: Annotated[str, typer.Option("--name", help="The owner's full name.")] = "",
) -> None:
    """Create a practice and its first owner (password from GUTBRAIN_OWNER_PASSWORD or a prompt)."""
    _setup_django(data_dir)
    _prepare_database()
    if not os.environ.get("GUTBRAIN_OWNER_PASSWORD"):
        os.environ["GUTBRAIN_OWNER_PASSWORD"] = typer.prompt(
            "Password", hide_input=True, confirmation_prompt=True
        )
    made = json.loads(_command("gutbrain_createowner", email=email, practice=practice, name=name))
    typer.echo(
        f"created the owner {made['email']} of practice {made['practice']!r}; sign in with "
        "`gutbrain serve` and set up two-factor authentication when asked"
    )
