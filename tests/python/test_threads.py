"""One InferenceSession run from four Python threads at once (run releases the GIL): every
output equals a single-threaded run's, bit for bit."""
import threading

import numpy as np

import softnpu


def test_concurrent_runs_match_a_single_threaded_run(mlp, images):
    s = softnpu.InferenceSession(mlp[0])
    x = images[0][:16]
    expected = [s.run(None, {"image": x[k:k + 1]})[0] for k in range(len(x))]
    failures = []

    def worker(t):
        for rnd in range(10):
            for k in range(t, len(x), 4):
                (y,) = s.run(None, {"image": x[k:k + 1]})
                if not np.array_equal(y, expected[k]):
                    failures.append((t, rnd, k))

    threads = [threading.Thread(target=worker, args=(t,)) for t in range(4)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    assert failures == []
