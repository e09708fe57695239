"""Fault injection for the storage tests: a child process repeats one write in a loop and is
SIGKILLed at a random moment, once per round; the test looks at what is on disk between rounds.

The driver imports once and forks a writer per round, so a round costs milliseconds; the driver
never writes itself (no Arrow threads before fork)."""
import subprocess
import sys
import textwrap

KILL_LOOP = """
import os, random, signal, sys, time
{setup}
random.seed({seed})
for line in sys.stdin:
    ready_r, ready_w = os.pipe()
    child = os.fork()
    if child == 0:
        k = 1
        while True:
            {write}
            if k == 1:
                os.write(ready_w, b"x")
            k += 1
    os.read(ready_r, 1)
    time.sleep(random.uniform(0.0, {max_sleep_s!r}))
    os.kill(child, signal.SIGKILL)
    os.waitpid(child, 0)
    print("killed", flush=True)
"""


def kill_rounds(setup: str, write: str, rounds: int, max_sleep_s: float, seed: int):
    """Yield once after each of ``rounds`` kills. ``setup`` (Python source) runs once in the
    driver; ``write`` (one statement, may use the round-trip counter ``k``) is what the writer
    repeats; each kill lands uniformly in [0, ``max_sleep_s``] s after the first write ended."""
    script = KILL_LOOP.format(setup=textwrap.dedent(setup), write=write, seed=seed, max_sleep_s=max_sleep_s)
    driver = subprocess.Popen([sys.executable, "-c", script], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        for _ in range(rounds):
            driver.stdin.write("next\n")
            driver.stdin.flush()
            assert driver.stdout.readline().strip() == "killed"
            yield
    finally:
        driver.stdin.close()
        driver.wait(timeout=60)
