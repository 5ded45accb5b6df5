"""dataset.py - loads Fashion-MNIST from the Debian package's idx .gz files.

Shared by train_mlp.py and evaluate.py. The files come from the Debian package
dataset-fashion-mnist (installed by scripts/setup.sh); nothing is downloaded.
Images are returned as float32 in [0, 1] with shape [n, 1, 28, 28], labels as
int64 [n].
"""
import gzip
import os
import struct

import numpy as np

DEFAULT_DIR = "/usr/share/datasets/fashion-mnist"

CLASS_NAMES = ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
               "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"]


def _read_idx(path):
    """Reads one idx file (optionally gzipped) into a numpy array of uint8."""
    opener = gzip.open if path.endswith(".gz") else open
    with opener(path, "rb") as f:
        data = f.read()
    if len(data) < 4:
        raise ValueError(f"{path}: too short to be an idx file")
    zero, dtype_code, ndim = struct.unpack(">HBB", data[:4])
    if zero != 0 or dtype_code != 0x08:
        raise ValueError(f"{path}: not an idx file of unsigned bytes "
                         f"(magic {zero:#x}, type {dtype_code:#x})")
    dims = struct.unpack(">" + "I" * ndim, data[4:4 + 4 * ndim])
    count = int(np.prod(dims))
    body = np.frombuffer(data, dtype=np.uint8, count=count, offset=4 + 4 * ndim)
    return body.reshape(dims)


def _find(directory, stem):
    for name in (stem + ".gz", stem):
        path = os.path.join(directory, name)
        if os.path.exists(path):
            return path
    raise FileNotFoundError(
        f"{os.path.join(directory, stem)}.gz not found; install the Debian package "
        f"dataset-fashion-mnist (scripts/setup.sh) or pass another --data-dir")


def load(split, directory=DEFAULT_DIR):
    """Returns (images float32 [n,1,28,28] in [0,1], labels int64 [n]).

    split is "train" (60,000 images) or "test" (10,000 images).
    """
    prefix = {"train": "train", "test": "t10k"}[split]
    images = _read_idx(_find(directory, f"{prefix}-images-idx3-ubyte"))
    labels = _read_idx(_find(directory, f"{prefix}-labels-idx1-ubyte"))
    if images.ndim != 3 or images.shape[1:] != (28, 28) or labels.shape != (images.shape[0],):
        raise ValueError(f"unexpected Fashion-MNIST shapes {images.shape} / {labels.shape}")
    x = (images.astype(np.float32) / np.float32(255.0)).reshape(-1, 1, 28, 28)
    return x, labels.astype(np.int64)
