"""Kazoo read-only client for zkctl's read-only mode test (docs/readonly.md).

Usage: python3 kazoo_readonly.py HOSTS

Reads one command a line from stdin and prints one answer line per command
(client states, data, exception class names), so the Go test can drive an
ensemble between steps and compare Apache ZooKeeper's transcript with
zkctl's. Commands:
  connect RO        start a client (read_only=RO) on HOSTS, print its state
  tryconnect HOST [ro]  start a client (read_only if "ro") on HOST for 4 s
  create PATH DATA  create; prints ok or the exception class
  set PATH DATA     setData; prints ok or the exception class
  get PATH          prints the data or the exception class
  exists PATH       prints yes/no
  children PATH     prints the sorted children
  sync PATH         prints ok or the exception class
  state             prints the client state
  waitrw PATH DATA SECS  retry set until it succeeds; prints the state
  stop              stop the client
"""
import sys
import time

from kazoo.client import KazooClient
from kazoo.exceptions import KazooException
from kazoo.handlers.threading import KazooTimeoutError

hosts = sys.argv[1]
zk = None


def say(*parts):
    print(" ".join(str(p) for p in parts), flush=True)


def err(fn):
    try:
        r = fn()
        return "ok" if r is None or not isinstance(r, bytes) else r.decode()
    except (KazooException, KazooTimeoutError) as e:
        return type(e).__name__


def main():
    global zk
    for line in sys.stdin:
        w = line.split()
        if not w:
            continue
        cmd = w[0]
        if cmd == "connect":
            zk = KazooClient(hosts=hosts, timeout=10, read_only=(w[1] == "true"))
            zk.start(timeout=30)
            say("connect", zk.client_state)
        elif cmd == "tryconnect":
            c = KazooClient(hosts=w[1], timeout=10, read_only=(len(w) > 2 and w[2] == "ro"))
            try:
                c.start(timeout=4)
                say("tryconnect", c.client_state)
            except KazooTimeoutError as e:
                say("tryconnect", type(e).__name__)
            finally:
                c.stop()
                c.close()
        elif cmd == "create":
            say("create", w[1], err(lambda: zk.create(w[1], w[2].encode()) and None))
        elif cmd == "set":
            say("set", w[1], err(lambda: zk.set(w[1], w[2].encode()) and None))
        elif cmd == "get":
            say("get", w[1], err(lambda: zk.get(w[1])[0]))
        elif cmd == "exists":
            say("exists", w[1], "yes" if zk.exists(w[1]) else "no")
        elif cmd == "children":
            say("children", w[1], ",".join(sorted(zk.get_children(w[1]))))
        elif cmd == "sync":
            say("sync", w[1], err(lambda: zk.sync(w[1]) and None))
        elif cmd == "state":
            say("state", zk.client_state)
        elif cmd == "waitrw":
            deadline = time.time() + float(w[3])
            last = ""
            while time.time() < deadline:
                try:
                    zk.set(w[1], w[2].encode())
                    last = "ok"
                    break
                except Exception as e:  # connection loss while it reconnects
                    last = type(e).__name__
                    time.sleep(0.2)
            say("waitrw", w[1], last, zk.client_state)
        elif cmd == "stop":
            zk.stop()
            zk.close()
            say("stopped")
        else:
            say("unknown", cmd)


if __name__ == "__main__":
    main()
