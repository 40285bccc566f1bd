/// Where one side's records come from: a ledger folder, an export file, a peer, or (in tests) an
/// array. The reconciler reads a source more than once (see ``Reconciler``), so a source must be
/// re-readable and must give the same records, in `seq` order, each time.
public protocol RecordSource {
    /// Visits the records in `seq` order.
    ///
    /// `types` is a hint for speed: when it is given, the source may leave out records of other
    /// types (it need not; the reader filters again). Records of the listed types must all come.
    /// A view is valid only during the call that hands it over.
    func forEachRecord(types: Set<String>?, _ body: (RecordView) throws -> Void) throws
}

/// One record as a source hands it to the reconciler: what it filters on (seq, time, stream,
/// type) read in place from the record's canonical JSON, and the event decoded only when asked.
///
/// Most of a log is bookings of other quarters, which the reconciler looks at and drops; building
/// a whole ``Record`` for each (every member parsed, names and digests checked) cost most of a
/// reconciliation's time. Bytes ``Located`` declines (escapes, other layouts) are
/// parsed in full, so both paths give the same answers.
public struct RecordView {
    public let seq: UInt64
    public let recordedAt: Timestamp
    /// The event type, `nil` when this build does not know it.
    public let type: EventType?
    private let json: UnsafeRawBufferPointer
    private let scan: Located?
    /// The record parsed in full, boxed: the view is copied for every record a pass visits, and
    /// most have none.
    private let box: Box?
    private var record: Record? { box?.record }
    private let storedHash: Digest32?

    private final class Box: Sendable {
        let record: Record
        init(_ record: Record) { self.record = record }
    }

    /// A record parsed in full (tests, and what the fast path declines).
    public init(_ record: Record) {
        seq = record.seq
        recordedAt = record.recordedAt
        type = EventType(rawValue: record.type)
        json = UnsafeRawBufferPointer(start: nil, count: 0)
        scan = nil
        box = Box(record)
        storedHash = nil
    }

    /// A stored record: its canonical JSON without `hash`, with the time and hash from the
    /// store's header. `nil` when the bytes are not in the layout the fast path reads.
    public init?(stored json: UnsafeRawBufferPointer, recordedAt: Timestamp, hash: Digest32) {
        // `data` is checked when the event is decoded (by the fast reader or the parser).
        guard let scan = Located(json, hashed: false) else { return nil }
        seq = scan.seq
        self.recordedAt = recordedAt
        type = Self.eventType(json, scan.type)
        self.json = json
        self.scan = scan
        box = nil
        storedHash = hash
    }

    /// An export line (canonical JSON with `hash`); `nil` when the fast path declines it.
    public init?(line json: UnsafeRawBufferPointer) {
        guard let scan = Located(json, hashed: true), scan.hash != nil,
              let time = Timestamp(rfc3339: String(decoding: UnsafeRawBufferPointer(rebasing: json[scan.recordedAt]), as: UTF8.self))
        else { return nil }
        seq = scan.seq
        recordedAt = time
        type = Self.eventType(json, scan.type)
        self.json = json
        self.scan = scan
        box = nil
        storedHash = nil
    }

    /// The type's name as the record spells it.
    public var typeName: String {
        if let record { return record.type }
        return String(decoding: UnsafeRawBufferPointer(rebasing: json[scan!.type]), as: UTF8.self)
    }

    /// Whether the record belongs to the stream whose name is `name` (UTF-8).
    public func isStream(_ name: [UInt8]) -> Bool {
        if let record { return record.stream.utf8.elementsEqual(name) }
        return UnsafeRawBufferPointer(rebasing: json[scan!.stream]).elementsEqual(name)
    }

    /// The stream's name.
    public var stream: String {
        if let record { return record.stream }
        return String(decoding: UnsafeRawBufferPointer(rebasing: json[scan!.stream]), as: UTF8.self)
    }

    /// The record's hash.
    public var hash: Digest32 {
        if let record { return record.hash }
        if let storedHash { return storedHash }
        return Digest32(hexBytes: UnsafeRawBufferPointer(rebasing: json[scan!.hash!])) ?? .zero
    }

    /// The value of the `data` object's first member when that member is `name` with a plain
    /// string (no escapes), read without decoding; `nil` when it is not so (decode instead).
    public func leadingString(_ name: StaticString) -> String? {
        guard let scan else { return nil }
        let data = UnsafeRawBufferPointer(rebasing: json[scan.data])
        // {"<name>":"…"
        guard var s = CanonicalRecordScan.Scanner(data), s.byte(UInt8(ascii: "{")), s.byte(UInt8(ascii: "\"")), s.literal(name),
              s.byte(UInt8(ascii: "\"")), s.byte(UInt8(ascii: ":")), let value = s.string() else { return nil }
        return String(decoding: data[value], as: UTF8.self)
    }

    /// The record's event, checked as ``DomainEvent/init(type:data:)`` checks it.
    public func event() throws(ValidationError) -> DomainEvent {
        if let record { return try DomainEvent(type: record.type, data: record.data) }
        let dataBytes = UnsafeRawBufferPointer(rebasing: json[scan!.data])
        if let type, let event = DomainEvent(canonicalData: dataBytes, type: type) { return event }
        let data: JSON
        do {
            data = try JSONParser.parse(dataBytes)
        } catch {
            throw ValidationError(field: "data", "data is not valid JSON: \(error)")
        }
        guard case .object(let object) = data else { throw ValidationError(field: "data", "data must be an object") }
        return try DomainEvent(type: typeName, data: object)
    }

    /// The names of the event types in UTF-8, by length, for matching a type without a String.
    private static let names: [(EventType, [UInt8])] = EventType.allCases.map { ($0, Array($0.rawValue.utf8)) }

    private static func eventType(_ json: UnsafeRawBufferPointer, _ range: Range<Int>) -> EventType? {
        let bytes = UnsafeRawBufferPointer(rebasing: json[range])
        for (type, name) in names where name.count == bytes.count && bytes.elementsEqual(name) { return type }
        return nil
    }
}

/// Where the members a ``RecordView`` reads lie in a record's canonical JSON, found from the end:
/// after `data`, every member has a fixed place and shape (`key`, `ledger`, `prev`, `recordedAt`,
/// `seq`, `stream`, `streamPrev`, `streamSeq`, `type`, and in an export line `hash` first), so
/// they are read backwards without walking `data`, which the decoders check when they read it.
/// Strings read backwards must hold no quote, backslash or control byte, so their bounds are
/// exact; anything else answers `nil` and the record is parsed in full.
struct Located {
    var seq: UInt64
    var data: Range<Int>
    var stream: Range<Int>
    var type: Range<Int>
    var recordedAt: Range<Int>
    var hash: Range<Int>?

    init?(_ json: UnsafeRawBufferPointer, hashed: Bool) {
        let n = json.count
        guard n > 16 else { return nil }
        var e = n
        func back(_ text: StaticString) -> Bool {
            let k = text.utf8CodeUnitCount
            guard e >= k else { return false }
            for i in 0..<k where json[e - k + i] != text.utf8Start[i] { return false }
            e -= k
            return true
        }
        func stringBack() -> Range<Int>? {
            guard e >= 2, json[e - 1] == UInt8(ascii: "\"") else { return nil }
            let end = e - 1
            var i = end - 1
            while i >= 0 {
                let c = json[i]
                if c == UInt8(ascii: "\"") {
                    e = i
                    return (i + 1)..<end
                }
                if c == UInt8(ascii: "\\") || c < 0x20 || c >= 0x7F { return nil }
                i -= 1
            }
            return nil
        }
        func fixedBack(_ k: Int) -> Range<Int>? {
            guard e >= k + 2, json[e - 1] == UInt8(ascii: "\""), json[e - k - 2] == UInt8(ascii: "\"") else { return nil }
            let r = (e - k - 1)..<(e - 1)
            e -= k + 2
            return r
        }
        func numberBack() -> UInt64? {
            var i = e
            while i > 0, json[i - 1] &- 0x30 < 10 { i -= 1 }
            let digits = e - i
            guard digits >= 1, digits <= 18, json[i] != UInt8(ascii: "0") else { return nil }
            var v: UInt64 = 0
            for j in i..<e { v = v * 10 + UInt64(json[j] &- 0x30) }
            e = i
            return v
        }
        guard back("}"), let type = stringBack(), back(",\"type\":"),
              numberBack() != nil, back(",\"streamSeq\":"),
              fixedBack(64) != nil, back(",\"streamPrev\":"),
              let stream = stringBack(), back(",\"stream\":"),
              let seq = numberBack(), back(",\"seq\":"),
              let recordedAt = fixedBack(20), back(",\"recordedAt\":"),
              fixedBack(64) != nil, back(",\"prev\":"),
              stringBack() != nil, back(",\"ledger\":"),
              stringBack() != nil, back(",\"key\":") else { return nil }
        var hash: Range<Int>?
        if hashed {
            guard let h = fixedBack(64), back(",\"hash\":") else { return nil }
            hash = h
        }
        let dataEnd = e
        // From the front: `{`, an optional `"actor":"…",`, then `"data":`.
        guard var s = CanonicalRecordScan.Scanner(json), s.byte(UInt8(ascii: "{")) else { return nil }
        if s.literal("\"actor\":") {
            guard s.string() != nil, s.byte(UInt8(ascii: ",")) else { return nil }
        }
        guard s.literal("\"data\":"), s.peek == UInt8(ascii: "{"), s.pos + 2 <= dataEnd, json[dataEnd - 1] == UInt8(ascii: "}") else { return nil }
        let f = s.pos
        self.seq = seq
        data = f..<dataEnd
        self.stream = stream
        self.type = type
        self.recordedAt = recordedAt
        self.hash = hash
    }
}

/// Records held in memory: for tests, and for records already fetched from a peer.
public struct RecordArray: RecordSource {
    public var records: [Record]

    public init(_ records: [Record]) { self.records = records }

    public func forEachRecord(types: Set<String>?, _ body: (RecordView) throws -> Void) throws {
        for record in records { try body(RecordView(record)) }
    }
}
