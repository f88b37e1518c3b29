"""Kazoo workload for zkctl's cross-implementation tests.

Usage: python3 kazoo_basic.py HOST:PORT

Prints one line per observable answer (paths, data, versions, exception
class names, watch callbacks, transaction results, lock outcomes) so that the
Go test can compare the transcript of Apache ZooKeeper with zkctl's. Exits
non-zero on any unexpected exception or when a watch does not fire in time.
"""
import sys
import threading
import time

from kazoo.client import KazooClient
from kazoo.exceptions import KazooException

out = []


def say(*parts):
    line = " ".join(str(p) for p in parts)
    out.append(line)
    print(line, flush=True)


def wait_for(pred, what, timeout=10.0):
    deadline = time.time() + timeout
    while time.time() < deadline:
        if pred():
            return
        time.sleep(0.02)
    raise SystemExit("timeout waiting for " + what)


def err_name(fn):
    try:
        fn()
        return "ok"
    except KazooException as e:
        return type(e).__name__


def main(addr):
    zk = KazooClient(hosts=addr, timeout=10)
    zk.start(timeout=15)
    other = KazooClient(hosts=addr, timeout=10)
    other.start(timeout=15)
    try:
        run(zk, other)
    finally:
        other.stop()
        other.close()
        zk.stop()
        zk.close()


def run(zk, other):
    # ensure_path and plain nodes
    zk.ensure_path("/k/a/b")
    say("ensure_path", zk.exists("/k/a/b") is not None)
    zk.ensure_path("/k/a/b")
    say("ensure_path again", sorted(zk.get_children("/k/a")))

    # create modes
    say("create eph", zk.create("/k/eph", b"e", ephemeral=True))
    say("create seq", zk.create("/k/q/item-", b"1", sequence=True, makepath=True))
    say("create seq", zk.create("/k/q/item-", b"2", sequence=True))
    say("create eph seq", zk.create("/k/q/e-", b"3", ephemeral=True, sequence=True))
    say("children /k/q", sorted(zk.get_children("/k/q")))
    say("create exists", err_name(lambda: zk.create("/k/eph", b"")))
    say("create under eph", err_name(lambda: zk.create("/k/eph/x", b"")))
    say("create no parent", err_name(lambda: zk.create("/k/none/x", b"")))
    st = zk.exists("/k/eph")
    say("eph owner is mine", st.ephemeralOwner == zk.client_id[0], st.ephemeralOwner != 0)

    # get/set with versions
    zk.set("/k/a", b"v1")
    data, st = zk.get("/k/a")
    say("get", data, st.version, st.dataLength, st.numChildren)
    st = zk.set("/k/a", b"v2", version=st.version)
    say("set with version", st.version)
    say("set bad version", err_name(lambda: zk.set("/k/a", b"v3", version=0)))
    say("delete bad version", err_name(lambda: zk.delete("/k/a/b", version=3)))
    say("delete not empty", err_name(lambda: zk.delete("/k/a")))
    say("get missing", err_name(lambda: zk.get("/k/missing")))
    zk.create("/k/null", None)
    data, st = zk.get("/k/null")
    say("get null data", repr(data), st.dataLength)

    # ChildrenWatch and DataWatch
    kid_events = []
    lock = threading.Lock()

    zk.ensure_path("/k/w")

    @zk.ChildrenWatch("/k/w")
    def kids(children):
        with lock:
            kid_events.append(sorted(children))

    wait_for(lambda: len(kid_events) >= 1, "initial ChildrenWatch")
    zk.create("/k/w/c1", b"")
    wait_for(lambda: len(kid_events) >= 2, "ChildrenWatch after create")
    zk.create("/k/w/c2", b"")
    wait_for(lambda: len(kid_events) >= 3, "ChildrenWatch after second create")
    zk.delete("/k/w/c1")
    wait_for(lambda: len(kid_events) >= 4, "ChildrenWatch after delete")
    with lock:
        say("ChildrenWatch", kid_events)

    data_events = []

    @zk.DataWatch("/k/d")
    def dw(data, stat):
        with lock:
            data_events.append((data, stat.version if stat else None))

    wait_for(lambda: len(data_events) >= 1, "initial DataWatch")
    zk.create("/k/d", b"d0")
    wait_for(lambda: len(data_events) >= 2, "DataWatch after create")
    zk.set("/k/d", b"d1")
    wait_for(lambda: len(data_events) >= 3, "DataWatch after set")
    zk.delete("/k/d")
    wait_for(lambda: len(data_events) >= 4, "DataWatch after delete")
    with lock:
        say("DataWatch", data_events)

    # transactions
    t = zk.transaction()
    t.create("/k/t1", b"x")
    t.set_data("/k/t1", b"y")
    t.check("/k/t1", 1)
    t.create("/k/t2", b"z")
    t.delete("/k/t2")
    say("transaction ok", [r if isinstance(r, (str, bool)) else type(r).__name__ for r in t.commit()])
    t = zk.transaction()
    t.create("/k/t3", b"x")
    t.check("/k/t1", 9)
    t.delete("/k/t1")
    say("transaction fail", [r if isinstance(r, (str, bool)) else type(r).__name__ for r in t.commit()])
    say("t3 exists", zk.exists("/k/t3") is not None)
    say("t1 data", zk.get("/k/t1")[0])

    # lock recipe across two sessions
    mine = zk.Lock("/k/lock", "first")
    theirs = other.Lock("/k/lock", "second")
    say("acquire first", mine.acquire(timeout=10))
    say("contenders", mine.contenders())
    say("acquire second non-blocking", theirs.acquire(blocking=False))
    got = []
    th = threading.Thread(target=lambda: got.append(theirs.acquire(timeout=10)))
    th.start()
    wait_for(lambda: len(other.get_children("/k/lock")) == 2, "second contender queued")
    say("contenders while waiting", mine.contenders())
    mine.release()
    th.join(15)
    say("second got lock after release", got)
    theirs.release()
    say("lock children after release", sorted(zk.get_children("/k/lock")))

    # ephemerals of another session vanish when it closes
    other.create("/k/other-eph", b"", ephemeral=True)
    other.stop()
    wait_for(lambda: zk.exists("/k/other-eph") is None, "other session's ephemeral removed")
    say("other ephemeral gone", True)
    say("final children /k", sorted(zk.get_children("/k")))


if __name__ == "__main__":
    if len(sys.argv) != 2:
        raise SystemExit("usage: kazoo_basic.py HOST:PORT")
    main(sys.argv[1])
