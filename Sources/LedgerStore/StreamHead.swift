public import LedgerCore
import LMDB

/// The head of one stream of a ledger, signed by its node: what a counterparty's node pins.
///
/// A peer sees only the stream that concerns it, so the ledger's own head (whose last record is
/// usually in another stream) cannot vouch for what it pulled. The stream head names the stream's
/// last record by `streamSeq`, `seq` and `hash`, and the node signs the canonical JSON of
/// `{hash, ledger, seq, stream, streamSeq}` with its Ed25519 key.
public struct SignedStreamHead: Equatable, Sendable {
    public var ledger: String
    public var stream: String
    /// The stream's last record's position in the stream (0: the stream is empty).
    public var streamSeq: UInt64
    /// The same record's `seq` in the ledger (0 when the stream is empty).
    public var seq: UInt64
    /// The same record's hash (64 zeros when the stream is empty).
    public var hash: Digest32
    public var recordedAt: Timestamp?
    public var publicKey: String
    public var signature: String

    public init(ledger: String, stream: String, streamSeq: UInt64, seq: UInt64, hash: Digest32,
                recordedAt: Timestamp?, publicKey: String, signature: String) {
        self.ledger = ledger
        self.stream = stream
        self.streamSeq = streamSeq
        self.seq = seq
        self.hash = hash
        self.recordedAt = recordedAt
        self.publicKey = publicKey
        self.signature = signature
    }

    /// The signed message: canonical JSON of `{hash, ledger, seq, stream, streamSeq}`.
    public var signedBytes: [UInt8] {
        CanonicalWriter.encode(["hash": .string(hash.hex), "ledger": .string(ledger), "seq": .int(Int64(seq)),
                                "stream": .string(stream), "streamSeq": .int(Int64(streamSeq))])
    }

    public var json: JSON {
        var o = JSONObject([("ledger", .string(ledger)), ("stream", .string(stream)), ("streamSeq", .int(Int64(streamSeq))),
                            ("seq", .int(Int64(seq))), ("hash", .string(hash.hex)),
                            ("publicKey", .string(publicKey)), ("signature", .string(signature))])
        if let recordedAt { o["recordedAt"] = .string(recordedAt.description) }
        return .object(o)
    }

    public init(json: JSON) throws {
        guard let o = json.object, let ledger = o["ledger"]?.string, let stream = o["stream"]?.string,
              let streamSeq = o["streamSeq"]?.int, streamSeq >= 0, let seq = o["seq"]?.int, seq >= 0,
              let hashText = o["hash"]?.string, let hash = Digest32(hex: hashText),
              let pk = o["publicKey"]?.string, let sig = o["signature"]?.string else {
            throw LedgerError.usage("a signed stream head needs ledger, stream, streamSeq, seq, hash, publicKey and signature")
        }
        self.init(ledger: ledger, stream: stream, streamSeq: UInt64(streamSeq), seq: UInt64(seq), hash: hash,
                  recordedAt: o["recordedAt"]?.string.flatMap { Timestamp(rfc3339: $0) }, publicKey: pk, signature: sig)
    }

    /// Whether the signature is valid for `publicKeyHex` (the pinned key).
    public func isValid(publicKeyHex: String) -> Bool {
        verifySignature(signature, of: signedBytes, publicKeyHex: publicKeyHex)
    }
}

extension Ledger {
    /// The last record of `stream` (its streamSeq, seq, hash and recordedAt), read in one snapshot.
    public func streamHead(_ stream: String) throws -> (streamSeq: UInt64, seq: UInt64, hash: Digest32, recordedAt: Timestamp?) {
        try env.read { txn in
            guard let raw = try txn.get(streams, Array(stream.utf8)), raw.count == 40 else { return (0, 0, .zero, nil) }
            let streamSeq = UInt64(littleEndian: raw.loadUnaligned(as: UInt64.self))
            let hash = Digest32(bytes: UnsafeRawBufferPointer(rebasing: raw[8...]))
            guard let seqRaw = try txn.get(streamLog, Self.streamLogKey(stream, streamSeq)), seqRaw.count == 8 else {
                throw LedgerError.storage("the stream index of \(stream) has no record \(streamSeq); run 'doppelledger verify'")
            }
            let seq = UInt64(bigEndian: seqRaw.loadUnaligned(as: UInt64.self))
            guard let value = try txn.get(log, BigEndianKey(seq)), StoredRecord.isWellFormed(value) else {
                throw LedgerError.storage("record \(seq) is missing or damaged; run 'doppelledger verify'")
            }
            return (streamSeq, seq, hash, StoredRecord.recordedAt(value))
        }
    }

    /// The head of `stream`, signed with the node's key.
    public func signedStreamHead(_ stream: String) throws -> SignedStreamHead {
        let h = try streamHead(stream)
        var head = SignedStreamHead(ledger: name.description, stream: stream, streamSeq: h.streamSeq, seq: h.seq, hash: h.hash,
                                    recordedAt: h.recordedAt, publicKey: publicKeyHex, signature: "")
        head.signature = try sign(head.signedBytes)
        return head
    }
}
