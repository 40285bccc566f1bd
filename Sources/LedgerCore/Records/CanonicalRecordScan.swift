#if canImport(Glibc)
import Glibc
#endif

/// The chain fields of a record read in place from its canonical JSON (without `hash`), for
/// verifying millions of stored records without building a ``Record`` for each.
///
/// ``scan(_:)`` accepts only bytes in exactly the layout ``Record/writeCanonical(into:includeHash:)``
/// writes, with printable-ASCII strings without escapes, and a `data` object that the strict
/// ``JSONParser`` would accept and that is already canonical (keys ascending, no whitespace, no
/// `-0`). For such bytes, ``Record/init(json:requireHash:)`` would succeed, yield these very fields
/// (the ledger and stream names are checked by the caller), and write the same bytes back. Anything else —
/// other order, whitespace, escapes, non-ASCII text, deep nesting, long numbers — answers `nil`,
/// and the caller takes the full parser, whose verdict and messages are the reference. So the fast
/// path may refuse what is valid, but never accepts what the full path would refuse.
public struct CanonicalRecordScan {
    public var seq: UInt64
    public var streamSeq: UInt64
    /// Byte ranges of the string contents (without quotes) in the scanned JSON. `prev` and
    /// `streamPrev` are 64 bytes, not yet checked to be hex: compare them with the expected digest's
    /// ``Digest32/hexText``, which is cheaper than decoding them.
    public var prev: Range<Int>
    public var streamPrev: Range<Int>
    public var key: Range<Int>
    public var ledger: Range<Int>
    public var stream: Range<Int>
    /// Where `,"hash":"…"` belongs: right after `data`.
    public var hashOffset: Int
    /// The 20 bytes where `YYYY-MM-DDTHH:MM:SSZ` belongs, not checked: compare them with the
    /// text of the expected time (``Timestamp/append(to:)``).
    public var recordedAt: Range<Int>

    /// Reads the chain fields of canonical record JSON (without `hash`), or `nil` (see above).
    public static func scan(_ json: UnsafeRawBufferPointer) -> CanonicalRecordScan? {
        guard json.count > 2, let base = json.baseAddress else { return nil }
        var s = Scanner(p: base.assumingMemoryBound(to: UInt8.self), end: json.count)
        guard s.byte(UInt8(ascii: "{")) else { return nil }
        if s.literal("\"actor\":") {
            guard s.string() != nil, s.byte(UInt8(ascii: ",")) else { return nil }
        }
        guard s.literal("\"data\":"), s.peek == UInt8(ascii: "{"), s.value(depth: 2) else { return nil }
        let hashOffset = s.pos
        guard s.literal(",\"key\":"), let key = s.string(),
              s.literal(",\"ledger\":"), let ledger = s.string(),
              s.literal(",\"prev\":\""), let prev = s.skip(64), s.byte(UInt8(ascii: "\"")),
              s.literal(",\"recordedAt\":\""), let recordedAt = s.skip(20), s.byte(UInt8(ascii: "\"")),
              s.literal(",\"seq\":"), let seq = s.positive(),
              s.literal(",\"stream\":"), let stream = s.string(),
              s.literal(",\"streamPrev\":\""), let streamPrev = s.skip(64), s.byte(UInt8(ascii: "\"")),
              s.literal(",\"streamSeq\":"), let streamSeq = s.positive(),
              s.literal(",\"type\":"), s.string() != nil,
              s.byte(UInt8(ascii: "}")), s.pos == s.end else { return nil }
        return CanonicalRecordScan(seq: seq, streamSeq: streamSeq, prev: prev, streamPrev: streamPrev,
                                   key: key, ledger: ledger, stream: stream, hashOffset: hashOffset, recordedAt: recordedAt)
    }

    /// Reads canonical JSON forward, in place (also for the reconciler's readers of records and
    /// events, `RecordView` and `DomainEvent(canonicalData:type:)`).
    struct Scanner {
        let p: UnsafePointer<UInt8>
        let end: Int
        var pos = 0

        init(p: UnsafePointer<UInt8>, end: Int) {
            self.p = p
            self.end = end
        }

        /// A scanner of `bytes`; `nil` when they are empty.
        init?(_ bytes: UnsafeRawBufferPointer) {
            guard let base = bytes.baseAddress, bytes.count > 0 else { return nil }
            self.init(p: base.assumingMemoryBound(to: UInt8.self), end: bytes.count)
        }

        var peek: UInt8 { pos < end ? p[pos] : 0 }

        @inline(__always)
        mutating func byte(_ b: UInt8) -> Bool {
            guard pos < end, p[pos] == b else { return false }
            pos += 1
            return true
        }

        @inline(__always)
        mutating func literal(_ text: StaticString) -> Bool {
            let n = text.utf8CodeUnitCount
            guard end - pos >= n else { return false }
            let t = UnsafeRawPointer(text.utf8Start), here = UnsafeRawPointer(p + pos)
            if n >= 8 {
                // Words, the last one overlapping: no call, no byte loop.
                var i = 0
                while i + 8 < n {
                    if here.loadUnaligned(fromByteOffset: i, as: UInt64.self) != t.loadUnaligned(fromByteOffset: i, as: UInt64.self) { return false }
                    i += 8
                }
                if here.loadUnaligned(fromByteOffset: n - 8, as: UInt64.self) != t.loadUnaligned(fromByteOffset: n - 8, as: UInt64.self) { return false }
            } else {
                for i in 0..<n where p[pos + i] != text.utf8Start[i] { return false }
            }
            pos += n
            return true
        }

        /// Whether any of the 8 bytes of `w` is a control character, `"`, `\`, DEL or non-ASCII.
        @inline(__always)
        static func special(_ w: UInt64) -> Bool {
            let ones: UInt64 = 0x0101_0101_0101_0101, highs: UInt64 = 0x8080_8080_8080_8080
            let below20 = (w &- ones &* 0x20) & ~w & highs
            let q = w ^ (ones &* 0x22), quote = (q &- ones) & ~q & highs
            let b = w ^ (ones &* 0x5C), backslash = (b &- ones) & ~b & highs
            let from7F = ((w &+ ones) | w) & highs
            return below20 | quote | backslash | from7F != 0
        }

        /// A string of printable ASCII without escapes: the range of its contents.
        @inline(__always)
        mutating func string() -> Range<Int>? {
            guard pos < end, p[pos] == UInt8(ascii: "\"") else { return nil }
            let start = pos + 1
            var i = start
            // Eight plain bytes at a time, then byte by byte from the first word that needs a look.
            while end - i >= 8, !Self.special(UnsafeRawPointer(p + i).loadUnaligned(as: UInt64.self)) { i += 8 }
            while i < end {
                let c = p[i]
                if c == UInt8(ascii: "\"") {
                    pos = i + 1
                    return start..<i
                }
                // Control characters, backslashes, DEL and non-ASCII: the full parser decides.
                if c < 0x20 || c >= 0x7F || c == UInt8(ascii: "\\") { return nil }
                i += 1
            }
            return nil
        }

        @inline(__always)
        mutating func skip(_ n: Int) -> Range<Int>? {
            guard end - pos >= n else { return nil }
            defer { pos += n }
            return pos..<(pos + n)
        }

        /// An integer above 0 without a leading zero, of at most 18 digits (so it fits Int64).
        mutating func positive() -> UInt64? {
            guard pos < end, p[pos] &- 0x31 < 9 else { return nil }
            var value: UInt64 = 0
            let start = pos
            while pos < end, p[pos] &- 0x30 < 10 {
                value = value &* 10 &+ UInt64(p[pos] &- 0x30)
                pos += 1
            }
            guard pos - start <= 18 else { return nil }
            return value
        }

        /// Skips a value the strict parser would accept at `depth` (objects and arrays count one
        /// level each, the record itself being level 1): false when unsure.
        mutating func value(depth: Int) -> Bool {
            guard pos < end else { return false }
            switch p[pos] {
            case UInt8(ascii: "{"):
                guard depth <= JSONParser.maxDepth else { return false }
                pos += 1
                if byte(UInt8(ascii: "}")) { return true }
                var previous: Range<Int>?
                while true {
                    guard let key = string(), byte(UInt8(ascii: ":")) else { return false }
                    // Keys strictly ascending (byte order = JCS order for ASCII): no duplicates.
                    if let previous, !Self.precedes(p, previous, key) { return false }
                    previous = key
                    guard value(depth: depth + 1) else { return false }
                    if byte(UInt8(ascii: ",")) { continue }
                    return byte(UInt8(ascii: "}"))
                }
            case UInt8(ascii: "["):
                guard depth <= JSONParser.maxDepth else { return false }
                pos += 1
                if byte(UInt8(ascii: "]")) { return true }
                while true {
                    guard value(depth: depth + 1) else { return false }
                    if byte(UInt8(ascii: ",")) { continue }
                    return byte(UInt8(ascii: "]"))
                }
            case UInt8(ascii: "\""):
                return string() != nil
            case UInt8(ascii: "t"): return literal("true")
            case UInt8(ascii: "f"): return literal("false")
            case UInt8(ascii: "n"): return literal("null")
            case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
                let negative = p[pos] == UInt8(ascii: "-")
                if negative { pos += 1 }
                let start = pos
                guard pos < end, p[pos] &- 0x30 < 10 else { return false }
                if p[pos] == UInt8(ascii: "0") {
                    if negative { return false } // "-0" reads as 0, which is written "0": not canonical
                    pos += 1
                } else {
                    while pos < end, p[pos] &- 0x30 < 10 { pos += 1 }
                }
                // At most 18 digits fit Int64 either way; a fraction or exponent is refused.
                guard pos - start <= 18, pos < end else { return false }
                let next = p[pos]
                return next != UInt8(ascii: ".") && next != UInt8(ascii: "e") && next != UInt8(ascii: "E") && next &- 0x30 >= 10
            default:
                return false
            }
        }

        static func precedes(_ p: UnsafePointer<UInt8>, _ a: Range<Int>, _ b: Range<Int>) -> Bool {
            let n = min(a.count, b.count)
            let c = memcmp(p + a.lowerBound, p + b.lowerBound, n)
            return c < 0 || (c == 0 && a.count < b.count)
        }
    }
}
