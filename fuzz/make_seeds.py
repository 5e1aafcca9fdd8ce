#!/usr/bin/env python3
"""Writes the fuzz targets' seed corpora into fuzz/seeds/<target>/ (committed; rerun to
regenerate). Standard library only.

Usage: fuzz/make_seeds.py SPM_MODEL
SPM_MODEL is any SentencePiece model tfm trained (e.g. a model directory's spm.model); its
seed copies drop the normalisation table (precompiled_charsmap, ~200 KB) so that the seeds
stay small and libFuzzer's input length with them.
"""
import gzip
import json
import struct
import sys
from pathlib import Path

SEEDS = Path(__file__).resolve().parent / "seeds"


def write(target, name, data):
    path = SEEDS / target / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data if isinstance(data, bytes) else data.encode())


def safetensors(tensors, metadata=None):
    """tensors: [(name, dtype, shape, raw bytes)] laid out back to back."""
    header, offset = {}, 0
    if metadata:
        header["__metadata__"] = metadata
    for name, dtype, shape, raw in tensors:
        header[name] = {"dtype": dtype, "shape": shape, "data_offsets": [offset, offset + len(raw)]}
        offset += len(raw)
    text = json.dumps(header).encode()
    text += b" " * (-len(text) % 8)
    return struct.pack("<Q", len(text)) + text + b"".join(raw for *_, raw in tensors)


def safetensors_seeds():
    f32 = struct.pack("<6f", 0.5, -1.0, 2.0, 0.0, 3.25, -0.125)
    write("safetensors", "f32.safetensors", safetensors([("w", "F32", [2, 3], f32)], {"step": "7"}))
    write("safetensors", "mixed.safetensors", safetensors([
        ("ids", "I64", [2], struct.pack("<2q", 1, -2)),
        ("b", "F64", [1], struct.pack("<d", 1.5)),
        ("h", "F16", [2], struct.pack("<2e", 1.0, -2.0)),
        ("bf", "BF16", [2], b"\x80\x3f\x00\xc0"),
        ("i", "I32", [1], struct.pack("<i", 9)),
        ("s", "F32", [], struct.pack("<f", 4.0)),
    ]))
    write("safetensors", "empty.safetensors", safetensors([]))


def config_seeds():
    small = {"format_version": 1, "vocab_size": 8000, "d_model": 256, "nhead": 4, "num_encoder_layers": 3,
             "num_decoder_layers": 3, "dim_feedforward": 1024, "dropout": 0.1, "attention_dropout": 0.0,
             "activation_dropout": 0.0, "activation": "relu", "layer_norm_eps": 1e-5, "norm_first": False,
             "encoder_final_norm": False, "decoder_final_norm": False, "tie_embeddings": True, "pad_id": 0,
             "unk_id": 1, "bos_id": 2, "eos_id": 3, "max_positions": 1024}
    write("model_config", "small.json", json.dumps(small, indent=2))
    write("model_config", "partial.json", json.dumps({"vocab_size": 90, "d_model": 64, "nhead": 4,
                                                       "activation": "gelu", "norm_first": True}))


def varint(data, i):
    value, shift = 0, 0
    while True:
        b = data[i]
        i += 1
        value |= (b & 0x7F) << shift
        shift += 7
        if b < 0x80:
            return value, i


def encode_varint(value):
    out = bytearray()
    while True:
        b = value & 0x7F
        value >>= 7
        out.append(b | (0x80 if value else 0))
        if not value:
            return bytes(out)


def without_field(message, drop):
    """The protobuf `message` without top-level field number `drop` (wire types 0, 1, 2, 5)."""
    out, i = bytearray(), 0
    while i < len(message):
        start = i
        key, i = varint(message, i)
        field, wire = key >> 3, key & 7
        if wire == 0:
            _, i = varint(message, i)
        elif wire == 1:
            i += 8
        elif wire == 2:
            length, i = varint(message, i)
            i += length
        elif wire == 5:
            i += 4
        else:
            raise ValueError(f"wire type {wire}")
        if field != drop:
            out += message[start:i]
    return bytes(out)


def strip_charsmap(model):
    """ModelProto field 3 is NormalizerSpec, whose field 2 is precompiled_charsmap."""
    out, i = bytearray(), 0
    while i < len(model):
        start = i
        key, i = varint(model, i)
        field, wire = key >> 3, key & 7
        assert wire in (0, 2), wire
        if wire == 0:
            _, i = varint(model, i)
            out += model[start:i]
            continue
        length, j = varint(model, i)
        body = model[j:j + length]
        i = j + length
        if field == 3:
            body = without_field(body, 2)
            out += encode_varint(key) + encode_varint(len(body)) + body
        else:
            out += model[start:i]
    return bytes(out)


def sentencepiece_seeds(spm_model):
    model = strip_charsmap(Path(spm_model).read_bytes())
    write("sentencepiece", "unigram.model", model)


def text_seeds():
    plain = "Two dogs run.\nZwei Hunde laufen.\n\nA caf\u00e9 \u2014 na\u00efve \u00fcber \U0001F600\r\nno final newline"
    for target in ("corpus", "segments"):
        write(target, "plain.txt", plain)
        write(target, "plain.txt.gz", gzip.compress(plain.encode(), mtime=0))
        write(target, "empty.txt", "")
        write(target, "spaces.txt", " \t\u00a0\n\u3000x \x1c\n")
    write("translate", "lines.txt", "twenty-one\nseven hundred and three\n\nnine")
    write("translate", "long.txt", "one two three four five six seven eight nine ten " * 2)  # past the 16-piece cut, under 128 bytes


def request_seeds():
    """Bodies of the server's POST /v1/translate and POST /translate."""
    write("request", "native.json", json.dumps({
        "model": "en-de", "text": ["A dog runs.", ""], "beam_size": 4, "length_penalty": 0.6, "n_best": 2,
        "max_length_ratio": 1.5, "max_length_offset": 10, "min_length": 0, "attention": True}))
    write("request", "native-string.json", '{"text": "caf\\u00e9 \\ud83d\\ude00"}')
    write("request", "libretranslate.json", json.dumps({
        "q": ["Hello", "World"], "source": "en", "target": "de", "format": "text", "alternatives": 2,
        "api_key": ""}))
    write("request", "wrong-types.json", '{"text": [1, null], "beam_size": 2.5, "attention": "yes"}')
    # Found by the fuzzer: a number beyond a double made the JSON library throw out_of_range.
    write("request", "number-overflow.json", '{"text": "a", "length_penalty": 1e400}')


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    safetensors_seeds()
    config_seeds()
    sentencepiece_seeds(sys.argv[1])
    text_seeds()
    request_seeds()
