"""Kazoo lock holder or waiter for the paused-client fidelity test (issue 10).

Usage: python3 kazoo_lock_pause.py hold|wait HOST:PORT LOCKPATH

hold: takes the lock with a 4 s session, prints "held <session id>", then
sleeps until killed (the test freezes it with SIGSTOP).
wait: prints "waiting", blocks on the same lock, prints "acquired" when it
gets it, then sleeps until killed.
"""
import sys
import time

from kazoo.client import KazooClient

mode, hosts, path = sys.argv[1], sys.argv[2], sys.argv[3]
zk = KazooClient(hosts=hosts, timeout=4.0)
zk.start(timeout=15)
lock = zk.Lock(path, mode)
if mode == "hold":
    if not lock.acquire(timeout=15):
        sys.exit("hold: lock not acquired")
    print("held 0x%x" % zk.client_id[0], flush=True)
else:
    print("waiting", flush=True)
    lock.acquire()
    print("acquired", flush=True)
while True:
    time.sleep(1)
