"""A throwaway PostgreSQL cluster for one run of the generator: initdb in a
temporary directory, a server on 127.0.0.1:<port> only (its socket in that
directory too), the role and database py_testdata, removed at the end. Run as
root, the server runs as the user postgres (initdb refuses root)."""
import glob
import os
import pwd
import shutil
import subprocess
import tempfile
import time

ROLE = DATABASE = PASSWORD = "py_testdata"


def bindir():
    """The newest /usr/lib/postgresql/<major>/bin (Debian's layout), else
    the directory of initdb on PATH."""
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=lambda p: int(p.split("/")[4]))
    if found:
        return os.path.dirname(found[-1])
    initdb = shutil.which("initdb")
    if initdb:
        return os.path.dirname(initdb)
    raise RuntimeError("no initdb: install PostgreSQL (Debian: apt-get install postgresql) or give --pg-bin")


class Cluster:
    def __init__(self, port, pg_bin=None):
        self.port = port
        self.bin = pg_bin or bindir()
        self.dir = None
        self.user = "postgres" if os.geteuid() == 0 else None

    def _run(self, *cmd, **kw):
        if self.user:
            cmd = ("runuser", "-u", self.user, "--") + cmd
        return subprocess.run(cmd, check=True, capture_output=True, text=True, **kw)

    def start(self, attempts=10):
        self.dir = tempfile.mkdtemp(prefix="querylens-py-pg-")
        if self.user:
            pw = pwd.getpwnam(self.user)
            os.chown(self.dir, pw.pw_uid, pw.pw_gid)
        data = os.path.join(self.dir, "data")
        self._run(os.path.join(self.bin, "initdb"), "-D", data, "-U", "postgres", "-A", "trust",
                  "-E", "UTF8", "--no-sync", "--locale=C")
        opts = "-p %d -k %s -c listen_addresses=127.0.0.1 -c fsync=off" % (self.port, self.dir)
        for attempt in range(attempts):
            try:
                self._run(os.path.join(self.bin, "pg_ctl"), "-D", data, "-l", os.path.join(self.dir, "log"),
                          "-o", opts, "-w", "start")
                break
            except subprocess.CalledProcessError:
                # the port may be held for a moment by another program's
                # connection in TIME_WAIT (it lies in the ephemeral range)
                if attempt == attempts - 1:
                    with open(os.path.join(self.dir, "log")) as f:
                        raise RuntimeError("PostgreSQL did not start on port %d:\n%s" % (self.port, f.read()))
                time.sleep(3)
        psql = os.path.join(self.bin, "psql")
        self._run(psql, "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres", "-v", "ON_ERROR_STOP=1",
                  "-c", "CREATE ROLE %s LOGIN PASSWORD '%s'" % (ROLE, PASSWORD),
                  "-c", "CREATE DATABASE %s OWNER %s" % (DATABASE, ROLE))
        return dict(host="127.0.0.1", port=self.port, dbname=DATABASE, user=ROLE, password=PASSWORD)

    def stop(self):
        """Stops the server, if it runs, and removes the cluster; never raises,
        so that the error that ended the run is the one reported."""
        if not self.dir:
            return
        pg_ctl = [os.path.join(self.bin, "pg_ctl"), "-D", os.path.join(self.dir, "data"), "-m", "fast", "-w", "stop"]
        if self.user:
            pg_ctl = ["runuser", "-u", self.user, "--"] + pg_ctl
        subprocess.run(pg_ctl, capture_output=True)
        shutil.rmtree(self.dir, ignore_errors=True)
        self.dir = None
