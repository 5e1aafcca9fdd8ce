"""Minimal pure-Python safetensors reader and writer (numpy arrays in, numpy arrays out).

File layout (https://github.com/huggingface/safetensors):
  8 bytes   little-endian u64 N = length of the JSON header
  N bytes   JSON {"__metadata__": {str: str}, name: {"dtype", "shape", "data_offsets": [begin, end]}, ...}
            padded with spaces so that the data section starts at a multiple of 8
  data      the tensors, little-endian, row-major, back to back without holes
            (the format forbids holes); offsets are relative to the start of the data section.

The writer orders tensors by element size, largest first, then by name (as the reference
implementation does), so every tensor starts at a multiple of its element size.
"""

import json
import struct

import numpy as np

DTYPES = {
    "F64": np.dtype("<f8"),
    "F32": np.dtype("<f4"),
    "I64": np.dtype("<i8"),
    "I32": np.dtype("<i4"),
    "U8": np.dtype("u1"),
}
_NAME_OF_DTYPE = {dtype: name for name, dtype in DTYPES.items()}


def _dtype_name(array):
    name = _NAME_OF_DTYPE.get(array.dtype.newbyteorder("<"))
    if name is None:
        raise TypeError(f"safetensors writer: unsupported dtype {array.dtype}; supported: {sorted(DTYPES)}")
    return name


def encode(tensors, metadata=None):
    """Returns the bytes of a safetensors file holding `tensors` ({name: numpy array})."""
    if "__metadata__" in tensors:
        raise ValueError("safetensors writer: '__metadata__' is reserved and cannot name a tensor")
    arrays = {name: np.asarray(array) for name, array in tensors.items()}
    order = sorted(arrays, key=lambda name: (-arrays[name].dtype.itemsize, name))

    header = {"__metadata__": dict(metadata or {})}
    chunks = []
    offset = 0
    for name in order:
        array = arrays[name]
        dtype_name = _dtype_name(array)
        data = np.ascontiguousarray(array, dtype=DTYPES[dtype_name]).tobytes()
        header[name] = {"dtype": dtype_name, "shape": list(array.shape), "data_offsets": [offset, offset + len(data)]}
        chunks.append(data)
        offset += len(data)

    header_bytes = json.dumps(header, separators=(",", ":")).encode("utf-8")
    header_bytes += b" " * (-len(header_bytes) % 8)
    return struct.pack("<Q", len(header_bytes)) + header_bytes + b"".join(chunks)


def save(path, tensors, metadata=None):
    with open(path, "wb") as f:
        f.write(encode(tensors, metadata))


def decode(blob, source="<bytes>"):
    """Returns ({name: numpy array}, metadata) from the bytes of a safetensors file."""
    if len(blob) < 8:
        raise ValueError(f"{source}: file too short for a safetensors header ({len(blob)} bytes)")
    (header_len,) = struct.unpack("<Q", blob[:8])
    if 8 + header_len > len(blob):
        raise ValueError(f"{source}: header length {header_len} exceeds file size {len(blob)}")
    header = json.loads(blob[8:8 + header_len].decode("utf-8"))
    metadata = header.pop("__metadata__", {})
    data = memoryview(blob)[8 + header_len:]

    tensors = {}
    expected_begin = 0
    for name, info in sorted(header.items(), key=lambda item: item[1]["data_offsets"][0]):
        dtype = DTYPES.get(info["dtype"])
        if dtype is None:
            raise ValueError(f"{source}: tensor '{name}' has unsupported dtype {info['dtype']}")
        begin, end = info["data_offsets"]
        shape = tuple(info["shape"])
        expected_size = int(np.prod(shape, dtype=np.int64)) * dtype.itemsize
        if begin != expected_begin or end - begin != expected_size or end > len(data):
            raise ValueError(f"{source}: tensor '{name}' has data_offsets [{begin}, {end}], expected "
                             f"[{expected_begin}, {expected_begin + expected_size}] within {len(data)} data bytes")
        tensors[name] = np.frombuffer(data[begin:end], dtype=dtype).reshape(shape).copy()
        expected_begin = end
    if expected_begin != len(data):
        raise ValueError(f"{source}: {len(data) - expected_begin} trailing bytes after the last tensor")
    return tensors, metadata


def load(path):
    """Returns ({name: numpy array}, metadata) read from the safetensors file at `path`."""
    with open(path, "rb") as f:
        return decode(f.read(), source=str(path))
