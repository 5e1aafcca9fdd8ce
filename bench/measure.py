"""Running a command as a measured process: its wall-clock time, its own peak RSS and its standard error."""

import os
import shlex
import shutil
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path


# GNU time measures a child forked from itself, a small process. The peak RSS that wait4 reports for a
# child of this script is never below this script's own RSS (Linux carries it over when the child execs).
GNU_TIME = shutil.which("time", path="/usr/bin:/bin")


@dataclass
class Run:
    seconds: float
    peak_rss_mb: float
    stderr: str


def run_measured(command, stdout_path, gnu_time=GNU_TIME):
    """Runs command with stdout into stdout_path; returns its wall-clock seconds, peak RSS and stderr.
    The peak RSS is GNU time's %M if gnu_time is given, else wait4's ru_maxrss (too high by up to this script's RSS)."""
    printable = shlex.join(command)
    if shutil.which(command[0]) is None:
        raise RuntimeError(f"cannot run `{printable}`: no such program")
    with tempfile.TemporaryDirectory() as scratch:
        rss_path, stderr_path = Path(scratch) / "rss", Path(scratch) / "stderr"
        measured = [gnu_time, "-f", "%M", "-o", str(rss_path), *command] if gnu_time else command
        with open(stdout_path, "wb") as stdout, open(stderr_path, "wb") as stderr:
            start = time.perf_counter()
            try:
                process = subprocess.Popen(measured, stdout=stdout, stderr=stderr)
            except OSError as error:
                raise RuntimeError(f"cannot run `{printable}`: {error}") from None
            _, status, usage = os.wait4(process.pid, 0)  # ru_maxrss is KiB
            seconds = time.perf_counter() - start
        process.returncode = os.waitstatus_to_exitcode(status)
        log = stderr_path.read_text(encoding="utf-8", errors="replace")
        if process.returncode != 0:
            raise RuntimeError(f"`{printable}` exited with {process.returncode}: {log.strip()[-2000:]}")
        peak_kib = int(rss_path.read_text().split()[-1]) if gnu_time else usage.ru_maxrss
    return Run(seconds, peak_kib / 1024.0, log)
