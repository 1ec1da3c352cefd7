"""The encrypted backup file format: AES-256-GCM in streamed chunks under `PMS_BACKUP_KEY`.

    header  = MAGIC (8 bytes) | key fingerprint (8 bytes) | file id (16 random bytes)
    chunk   = length of sealed bytes (4 bytes, big-endian) | nonce (12) | ciphertext + tag

Every chunk's associated data is the header, the chunk's index and a final flag, so a chunk moved
to another position or another file, a dropped chunk, a cut-off end (no final chunk) and bytes after
the final chunk are all refused, as is any altered byte (GCM tag). The key fingerprint lets a wrong
key fail with that reason instead of "tampered". The key is never one of the data keys.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import struct
from collections.abc import Callable, Iterator
from typing import BinaryIO

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

MAGIC = b"PMSBAK1\n"
HEADER_BYTES = len(MAGIC) + 8 + 16
NONCE_BYTES = 12
TAG_BYTES = 16
DEFAULT_CHUNK = 1024 * 1024
MAX_CHUNK = 64 * 1024 * 1024  # a length field above this is corruption, not a chunk to allocate


class BackupError(Exception):
    """The backup cannot be used: wrong key, not a backup, altered, truncated or reordered."""


def backup_key() -> bytes:
    raw = getattr(settings, "PMS_BACKUP_KEY", "")
    if not raw:
        raise ImproperlyConfigured("PMS_BACKUP_KEY is not set; `make keys` writes a development key.")
    try:
        key = base64.b64decode(raw, validate=True)
    except ValueError as exc:
        raise ImproperlyConfigured("PMS_BACKUP_KEY is not valid base64.") from exc
    if len(key) != 32:
        raise ImproperlyConfigured("PMS_BACKUP_KEY must be 32 bytes (AES-256), base64-encoded.")
    return key


def key_fingerprint(key: bytes) -> bytes:
    """8 bytes that name the key without revealing it (an HMAC of a fixed label)."""
    return hmac.new(key, b"pms-backup-key-fingerprint", hashlib.sha256).digest()[:8]


def _aad(header: bytes, index: int, final: bool) -> bytes:
    return header + struct.pack(">QB", index, 1 if final else 0)


def _read_exactly(stream: BinaryIO, n: int) -> bytes:
    parts, got = [], 0
    while got < n:
        block = stream.read(n - got)
        if not block:
            break
        parts.append(block)
        got += len(block)
    return b"".join(parts)


def encrypt_stream(
    source: BinaryIO,
    sink: BinaryIO,
    *,
    key: bytes | None = None,
    chunk_size: int = DEFAULT_CHUNK,
    progress: Callable[[int], None] | None = None,
) -> tuple[int, str]:
    """Encrypt `source` into `sink` chunk by chunk. Returns (bytes written, SHA-256 hex of them)."""
    key = key or backup_key()
    aead = AESGCM(key)
    header = MAGIC + key_fingerprint(key) + os.urandom(16)
    digest = hashlib.sha256(header)
    sink.write(header)
    written, plain_total, index = len(header), 0, 0
    pending = _read_exactly(source, chunk_size)
    while True:
        following = _read_exactly(source, chunk_size) if len(pending) == chunk_size else b""
        final = not following
        nonce = os.urandom(NONCE_BYTES)
        sealed = nonce + aead.encrypt(nonce, pending, _aad(header, index, final))
        frame = struct.pack(">I", len(sealed)) + sealed
        sink.write(frame)
        digest.update(frame)
        written += len(frame)
        plain_total += len(pending)
        if progress:
            progress(plain_total)
        if final:
            return written, digest.hexdigest()
        pending, index = following, index + 1


def decrypt_chunks(source: BinaryIO, *, key: bytes | None = None) -> Iterator[bytes]:
    """Yield the plaintext chunk by chunk, each one authenticated before it is yielded.

    Raises `BackupError` naming the reason; a consumer must treat everything it received as void
    when that happens (the restore runs in one transaction for that reason)."""
    key = key or backup_key()
    header = _read_exactly(source, HEADER_BYTES)
    if len(header) < HEADER_BYTES or not header.startswith(MAGIC):
        raise BackupError("not a PMS backup file (unknown header)")
    if not hmac.compare_digest(header[len(MAGIC) : len(MAGIC) + 8], key_fingerprint(key)):
        raise BackupError(
            "the backup was encrypted with a different key than the current PMS_BACKUP_KEY "
            f"(backup key fingerprint {header[len(MAGIC) : len(MAGIC) + 8].hex()}, "
            f"current {key_fingerprint(key).hex()})"
        )
    aead = AESGCM(key)
    index = 0
    while True:
        length_bytes = _read_exactly(source, 4)
        if not length_bytes:
            raise BackupError(f"truncated: the file ends after chunk {index} without its final chunk")
        if len(length_bytes) < 4:
            raise BackupError(f"truncated inside the length of chunk {index}")
        (length,) = struct.unpack(">I", length_bytes)
        if length < NONCE_BYTES + TAG_BYTES or length > MAX_CHUNK + NONCE_BYTES + TAG_BYTES:
            raise BackupError(f"chunk {index} has an impossible length ({length}): the file is damaged")
        sealed = _read_exactly(source, length)
        if len(sealed) < length:
            raise BackupError(f"truncated inside chunk {index}")
        nonce, body = sealed[:NONCE_BYTES], sealed[NONCE_BYTES:]
        for final in (False, True):
            try:
                plain = aead.decrypt(nonce, body, _aad(header, index, final))
                break
            except InvalidTag:
                continue
        else:
            raise BackupError(
                f"chunk {index} does not authenticate: the file was altered, reordered or spliced"
            )
        yield plain
        if final:
            if source.read(1):
                raise BackupError(f"unexpected data after the final chunk ({index})")
            return
        index += 1


def verify_stream(source: BinaryIO, *, key: bytes | None = None) -> tuple[int, str]:
    """Authenticate a whole backup without keeping it. Returns (plaintext bytes, SHA-256 of the file)."""

    class _Hashing:
        def __init__(self, inner):
            self.inner, self.digest = inner, hashlib.sha256()

        def read(self, n=-1):
            data = self.inner.read(n)
            self.digest.update(data)
            return data

    hashing = _Hashing(source)
    total = sum(len(chunk) for chunk in decrypt_chunks(hashing, key=key))
    return total, hashing.digest.hexdigest()
