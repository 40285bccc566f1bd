public import LedgerCore

/// How a record sits in the `log` database, keyed by its `seq` (8 bytes, big-endian):
///
/// | bytes | content |
/// |---|---|
/// | 0..<32 | `hash`, raw |
/// | 32..<40 | `recordedAt`, seconds since 1970, little-endian (for as-of searches without parsing) |
/// | 40..<44 | where `,"hash":"…"` belongs in the JSON, little-endian |
/// | 44… | the record's RFC 8785 canonical JSON **without** `hash`: exactly the bytes hashed |
///
/// So verifying is one SHA-256 over the stored bytes, and an export line is the stored JSON with
/// the hash spliced in. The header is not trusted: `verify` checks it against the JSON.
public enum StoredRecord {
    public static let headerSize = 44

    /// Encodes `record` (its hash is computed here and returned) into `w`, header first.
    @inline(__always)
    public static func encode(_ record: inout Record, into w: inout CanonicalWriter) {
        w.reset()
        w.bytes.append(contentsOf: repeatElement(0, count: headerSize))
        let offset = record.writeCanonical(into: &w, includeHash: false)
        let hash = w.bytes.withUnsafeBytes { raw in
            Digest32.sha256(UnsafeRawBufferPointer(rebasing: raw[headerSize...]))
        }
        record.hash = hash
        w.bytes.withUnsafeMutableBytes { raw in
            var h = hash
            withUnsafeBytes(of: &h) { raw.baseAddress!.copyMemory(from: $0.baseAddress!, byteCount: 32) }
            raw.storeBytes(of: record.recordedAt.seconds.littleEndian, toByteOffset: 32, as: Int64.self)
            raw.storeBytes(of: UInt32(offset).littleEndian, toByteOffset: 40, as: UInt32.self)
        }
    }

    /// The stored hash.
    @inline(__always)
    public static func hash(_ value: UnsafeRawBufferPointer) -> Digest32 { Digest32(bytes: value) }

    /// The stored `recordedAt` (from the header).
    @inline(__always)
    public static func recordedAt(_ value: UnsafeRawBufferPointer) -> Timestamp {
        Timestamp(seconds: Int64(littleEndian: value.loadUnaligned(fromByteOffset: 32, as: Int64.self)))
    }

    /// The hashed JSON bytes.
    @inline(__always)
    public static func json(_ value: UnsafeRawBufferPointer) -> UnsafeRawBufferPointer {
        UnsafeRawBufferPointer(rebasing: value[headerSize...])
    }

    /// The stored position (in the JSON) where `,"hash":"…"` belongs.
    @inline(__always)
    public static func hashOffset(_ value: UnsafeRawBufferPointer) -> Int {
        Int(UInt32(littleEndian: value.loadUnaligned(fromByteOffset: 40, as: UInt32.self)))
    }

    /// Whether the value is long enough to hold a header and a JSON object.
    public static func isWellFormed(_ value: UnsafeRawBufferPointer) -> Bool {
        guard value.count > headerSize + 2 else { return false }
        let offset = hashOffset(value)
        return offset > 0 && offset < value.count - headerSize
    }

    /// Appends the export line (canonical JSON with `hash`) and a newline.
    @inline(__always)
    public static func appendLine(_ value: UnsafeRawBufferPointer, to out: inout [UInt8]) {
        let offset = hashOffset(value)
        let json = UnsafeRawBufferPointer(rebasing: value[headerSize...])
        out.append(bytes: UnsafeRawBufferPointer(rebasing: json[..<offset]))
        out.append(contentsOf: ",\"hash\":\"".utf8)
        Digest32(bytes: value).appendHex(to: &out)
        out.append(UInt8(ascii: "\""))
        out.append(bytes: UnsafeRawBufferPointer(rebasing: json[offset...]))
        out.append(0x0A)
    }

    /// Decodes the full record.
    public static func decode(_ value: UnsafeRawBufferPointer) throws -> Record {
        guard isWellFormed(value) else { throw RecordFormatError("stored record is truncated") }
        let json = try JSONParser.parse(Self.json(value))
        guard case .object(let o) = json else { throw RecordFormatError("stored record is not a JSON object") }
        var record = try Record(json: o, requireHash: false)
        record.hash = hash(value)
        return record
    }
}
