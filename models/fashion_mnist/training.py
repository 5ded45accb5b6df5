"""training.py - what the Fashion-MNIST training scripts share (train_mlp.py, train_cnn.py, train_rnn.py).

Deterministic torch set-up and the data set as torch tensors.
"""
import random

import numpy as np
import torch

import dataset


def deterministic(seed):
    """Seeds Python, numpy and torch; deterministic kernels on 2 threads."""
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)
    torch.use_deterministic_algorithms(True)
    torch.set_num_threads(2)


def load_tensors(data_dir):
    """(x_train, y_train, x_test, y_test) as torch tensors."""
    xtr, ytr = dataset.load("train", data_dir)
    xte, yte = dataset.load("test", data_dir)
    return tuple(torch.from_numpy(a) for a in (xtr, ytr, xte, yte))
