/// One record of a ledger, exactly as CONTRACT section 1 describes it.
///
/// The `hash` is SHA-256 over the RFC 8785 canonical JSON of the record without `hash`; `prev`
/// chains the whole ledger and `streamPrev` the record's stream.
public struct Record: Equatable, Hashable, Sendable {
    public var seq: UInt64
    public var recordedAt: Timestamp
    public var ledger: String
    public var stream: String
    public var streamSeq: UInt64
    public var type: String
    public var key: String
    public var actor: String?
    public var data: JSONObject
    public var prev: Digest32
    public var streamPrev: Digest32
    public var hash: Digest32

    public init(seq: UInt64, recordedAt: Timestamp, ledger: String, stream: String, streamSeq: UInt64,
                type: String, key: String, actor: String?, data: JSONObject,
                prev: Digest32, streamPrev: Digest32, hash: Digest32 = .zero) {
        self.seq = seq
        self.recordedAt = recordedAt
        self.ledger = ledger
        self.stream = stream
        self.streamSeq = streamSeq
        self.type = type
        self.key = key
        self.actor = actor
        self.data = data
        self.prev = prev
        self.streamPrev = streamPrev
        self.hash = hash
    }

    /// Writes the canonical JSON of the record. Without the hash, returns the byte offset where
    /// `,"hash":"…"` belongs (the members are in JCS order: actor, data, hash, key, …).
    @discardableResult
    public func writeCanonical(into w: inout CanonicalWriter, includeHash: Bool) -> Int {
        let start = w.bytes.count
        w.byte(UInt8(ascii: "{"))
        if let actor {
            w.key("actor"); w.string(actor); w.byte(UInt8(ascii: ","))
        }
        w.key("data"); w.object(data)
        let hashOffset = w.bytes.count - start
        if includeHash { w.raw(",\"hash\":"); w.hexString(hash) }
        w.raw(",\"key\":"); w.string(key)
        w.raw(",\"ledger\":"); w.string(ledger)
        w.raw(",\"prev\":"); w.hexString(prev)
        w.raw(",\"recordedAt\":\"")
        w.timestamp(recordedAt)
        w.raw("\",\"seq\":"); w.uint(seq)
        w.raw(",\"stream\":"); w.string(stream)
        w.raw(",\"streamPrev\":"); w.hexString(streamPrev)
        w.raw(",\"streamSeq\":"); w.uint(streamSeq)
        w.raw(",\"type\":"); w.string(type)
        w.byte(UInt8(ascii: "}"))
        return hashOffset
    }

    /// The canonical JSON line of the record with its hash (one line of an export).
    public var canonicalLine: String {
        var w = CanonicalWriter()
        writeCanonical(into: &w, includeHash: true)
        return String(decoding: w.bytes, as: UTF8.self)
    }

    /// Computes the record's hash from its other fields.
    public func computeHash() -> Digest32 {
        var w = CanonicalWriter()
        writeCanonical(into: &w, includeHash: false)
        return Digest32.sha256(w.bytes)
    }

    /// The fields a client chose (type, key, actor, data): what idempotency compares, byte for
    /// byte (text that differs only in Unicode normalisation is different content).
    public func sameContent(as other: Record) -> Bool {
        type.utf8.elementsEqual(other.type.utf8) && key == other.key && actor == other.actor && data == other.data
    }
}

/// Why a JSON text is not a well-formed record.
public struct RecordFormatError: Error, CustomStringConvertible, Equatable {
    public let message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

extension Record {
    /// The record's fields and nothing else, as CONTRACT section 1 lists them.
    public static let fieldNames: Set<String> = [
        "seq", "recordedAt", "ledger", "stream", "streamSeq", "type", "key", "actor", "data", "prev", "streamPrev", "hash",
    ]

    /// Reads a record from a parsed JSON object (an export line). `hash` may be absent when
    /// `requireHash` is false (a record read back from storage carries it beside the JSON).
    public init(json o: JSONObject, requireHash: Bool = true) throws(RecordFormatError) {
        for m in o.members where !Self.fieldNames.contains(m.key) {
            throw RecordFormatError("unknown field \"\(m.key)\" in record")
        }
        func string(_ name: String) throws(RecordFormatError) -> String {
            guard let v = o[name] else { throw RecordFormatError("field \"\(name)\" is missing") }
            guard case .string(let s) = v else { throw RecordFormatError("field \"\(name)\" must be a string") }
            return s
        }
        func positive(_ name: String) throws(RecordFormatError) -> UInt64 {
            guard let v = o[name] else { throw RecordFormatError("field \"\(name)\" is missing") }
            guard case .int(let i) = v, i > 0 else { throw RecordFormatError("field \"\(name)\" must be a whole number above 0") }
            return UInt64(i)
        }
        func digest(_ name: String) throws(RecordFormatError) -> Digest32 {
            guard let d = Digest32(hex: try string(name)) else {
                throw RecordFormatError("field \"\(name)\" must be 64 lower-case hex digits")
            }
            return d
        }
        seq = try positive("seq")
        let at = try string("recordedAt")
        guard let ts = Timestamp(rfc3339: at), ts.description == at else {
            throw RecordFormatError("field \"recordedAt\" must be UTC RFC 3339 like 2025-04-02T09:15:00Z")
        }
        recordedAt = ts
        ledger = try string("ledger")
        guard LedgerName(ledger) != nil else { throw RecordFormatError("field \"ledger\" must be jugendamt:<org> or traeger:<org>") }
        stream = try string("stream")
        guard StreamName.isValid(stream) else { throw RecordFormatError("field \"stream\" must be traeger:<id>, jugendamt:<org> or intern") }
        streamSeq = try positive("streamSeq")
        type = try string("type")
        key = try string("key")
        if o["actor"] != nil { actor = try string("actor") } else { actor = nil }
        guard case .object(let d)? = o["data"] else { throw RecordFormatError("field \"data\" must be an object") }
        data = d
        prev = try digest("prev")
        streamPrev = try digest("streamPrev")
        if requireHash || o["hash"] != nil { hash = try digest("hash") } else { hash = .zero }
    }

    /// Parses one export line.
    public init(line: UnsafeRawBufferPointer) throws(RecordFormatError) {
        let json: JSON
        do { json = try JSONParser.parse(line) } catch { throw RecordFormatError("not valid JSON: \(error)") }
        guard case .object(let o) = json else { throw RecordFormatError("a record must be a JSON object") }
        try self.init(json: o)
    }
}
