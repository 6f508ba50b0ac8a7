"""`make run`: migrate, load the demo on a new database, print the logins, then serve web + worker."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def flask(*args: str) -> str:
    result = subprocess.run([sys.executable, "-m", "flask", "--app", "wsgi", *args], cwd=ROOT, check=True,
                            capture_output=True, text=True)
    return result.stdout


def main() -> None:
    from portal import create_app
    from portal.extensions import db

    app = create_app()
    with app.app_context():
        fresh = not _has_tables(db)
    print("Portal: migrating the database ...", flush=True)
    flask("db", "upgrade")
    if fresh:
        print("Portal: new database, loading the demo business ...", flush=True)
        print(flask("seed-demo"), flush=True)
    with app.app_context():
        from portal.demo import demo_logins

        logins = demo_logins()
    print("\n  Portal is starting at http://127.0.0.1:5000\n")
    if logins:
        print("  Demo logins (password for each: demo-password-123):")
        for role, email, _password in logins:
            print(f"    {role:<7} {email}")
    print("\n  Sent mail (no mail server needed): http://127.0.0.1:5000/dev/mail")
    print("  Stop with Ctrl-C.\n", flush=True)
    os.execv(str(Path(sys.executable).parent / "honcho"), ["honcho", "start", "-f", str(ROOT / "Procfile")])


def _has_tables(db) -> bool:
    from sqlalchemy import inspect

    return inspect(db.engine).has_table("users")


if __name__ == "__main__":
    main()
