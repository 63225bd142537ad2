package io.p2pshare.protocol;

import java.util.List;

/** MANIFEST_RESPONSE payload: the file's hash and one SHA-256 per piece. */
public record ManifestResponse(
    String status, String fileName, Long fileSize, String sha256, Long pieceSize, List<String> pieces) {}
