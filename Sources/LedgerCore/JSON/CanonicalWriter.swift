/// Writes RFC 8785 (JCS) canonical JSON into a reusable byte buffer.
///
/// For this ledger's value space (integers, strings, booleans, null, arrays, objects) JCS is:
/// keys sorted by UTF-16 code units, no whitespace, integers in plain decimal, strings with only
/// `"` `\` and control characters escaped (`\b \t \n \f \r`, others as `\u00xx`), UTF-8.
public struct CanonicalWriter {
    public var bytes: [UInt8]
    /// The last time written and its text: records of one batch mostly share their second.
    private var lastTime = Int64.min
    private var lastTimeText: [UInt8] = []

    public init(capacity: Int = 512) {
        bytes = []
        bytes.reserveCapacity(capacity)
    }

    /// Empties the buffer, keeping its capacity.
    @inline(__always)
    public mutating func reset() { bytes.removeAll(keepingCapacity: true) }

    @inline(__always)
    public mutating func raw(_ s: StaticString) {
        bytes.append(contentsOf: UnsafeBufferPointer(start: s.utf8Start, count: s.utf8CodeUnitCount))
    }

    @inline(__always)
    public mutating func byte(_ b: UInt8) { bytes.append(b) }

    public mutating func value(_ v: JSON) {
        switch v {
        case .null: raw("null")
        case .bool(let b): b ? raw("true") : raw("false")
        case .int(let i): int(i)
        case .string(let s): string(s)
        case .array(let items):
            byte(UInt8(ascii: "["))
            for (n, item) in items.enumerated() {
                if n > 0 { byte(UInt8(ascii: ",")) }
                value(item)
            }
            byte(UInt8(ascii: "]"))
        case .object(let o): object(o)
        }
    }

    public mutating func object(_ o: JSONObject) {
        byte(UInt8(ascii: "{"))
        var first = true
        for m in o.members {
            if !first { byte(UInt8(ascii: ",")) }
            first = false
            string(m.key)
            byte(UInt8(ascii: ":"))
            value(m.value)
        }
        byte(UInt8(ascii: "}"))
    }

    @inline(__always)
    public mutating func int(_ i: Int64) {
        if i >= 0 { uint(UInt64(i)); return }
        byte(UInt8(ascii: "-"))
        uint(i.magnitude)
    }

    @inline(__always)
    public mutating func uint(_ value: UInt64) {
        if value < 10 { bytes.append(UInt8(truncatingIfNeeded: value) &+ 0x30); return }
        var tmp: (UInt64, UInt64, UInt64) = (0, 0, 0) // 24 bytes of scratch, enough for 20 digits
        var v = value
        var n = 0
        withUnsafeMutableBytes(of: &tmp) { buf in
            while v > 0 {
                buf[23 - n] = UInt8(truncatingIfNeeded: v % 10) &+ 0x30
                v /= 10
                n += 1
            }
            bytes.append(bytes: UnsafeRawBufferPointer(rebasing: buf[(24 - n)...]))
        }
    }

    public mutating func string(_ s: String) {
        var s = s
        s.withUTF8 { utf8 in
            let raw = UnsafeRawBufferPointer(utf8)
            // Most strings (ids, dates, names of things) need no escaping: copy them whole.
            var i = 0
            while raw.count - i >= 8, !Self.needsEscape(raw.loadUnaligned(fromByteOffset: i, as: UInt64.self)) { i += 8 }
            while i < raw.count, raw[i] >= 0x20, raw[i] != 0x22, raw[i] != 0x5C { i += 1 }
            if i == raw.count {
                byte(UInt8(ascii: "\""))
                bytes.append(contentsOf: utf8)
                byte(UInt8(ascii: "\""))
            } else {
                escaped(utf8)
            }
        }
    }

    /// Whether any of the 8 bytes of `w` is a control character, `"` or `\\`.
    @inline(__always)
    static func needsEscape(_ w: UInt64) -> Bool {
        let ones: UInt64 = 0x0101_0101_0101_0101, highs: UInt64 = 0x8080_8080_8080_8080
        let below20 = (w &- ones &* 0x20) & ~w & highs
        let q = w ^ (ones &* 0x22), quote = (q &- ones) & ~q & highs
        let b = w ^ (ones &* 0x5C), backslash = (b &- ones) & ~b & highs
        return below20 | quote | backslash != 0
    }

    private mutating func escaped(_ utf8: UnsafeBufferPointer<UInt8>) {
        byte(UInt8(ascii: "\""))
        var runStart = 0
        for i in 0..<utf8.count {
            let c = utf8[i]
            if c >= 0x20 && c != 0x22 && c != 0x5C { continue }
            if runStart < i { bytes.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[runStart..<i])) }
            runStart = i + 1
            switch c {
            case 0x22: raw("\\\"")
            case 0x5C: raw("\\\\")
            case 0x08: raw("\\b")
            case 0x09: raw("\\t")
            case 0x0A: raw("\\n")
            case 0x0C: raw("\\f")
            case 0x0D: raw("\\r")
            default:
                raw("\\u00")
                byte(Digest32.hexDigit(c >> 4))
                byte(Digest32.hexDigit(c & 0xF))
            }
        }
        if runStart < utf8.count { bytes.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[runStart...])) }
        byte(UInt8(ascii: "\""))
    }

    /// Writes `"key":` (the key must need no escaping).
    @inline(__always)
    public mutating func key(_ k: StaticString) {
        byte(UInt8(ascii: "\""))
        raw(k)
        raw("\":")
    }

    /// Writes `YYYY-MM-DDTHH:MM:SSZ` (without quotes).
    @inline(__always)
    public mutating func timestamp(_ t: Timestamp) {
        if t.seconds != lastTime {
            lastTimeText.removeAll(keepingCapacity: true)
            t.append(to: &lastTimeText)
            lastTime = t.seconds
        }
        bytes.append(contentsOf: lastTimeText)
    }

    /// Writes a 32-byte digest as a quoted, lower-case hex string.
    @inline(__always)
    public mutating func hexString(_ d: Digest32) {
        byte(UInt8(ascii: "\""))
        d.appendHex(to: &bytes)
        byte(UInt8(ascii: "\""))
    }

    /// The canonical text of a value.
    public static func encode(_ v: JSON) -> [UInt8] {
        var w = CanonicalWriter()
        w.value(v)
        return w.bytes
    }

    /// The canonical text of a value, as a string.
    public static func string(_ v: JSON) -> String {
        String(decoding: encode(v), as: UTF8.self)
    }
}

extension Array where Element == UInt8 {
    /// Appends raw bytes with one copy (`append(contentsOf:)` goes byte by byte for raw buffers).
    @inlinable @inline(__always)
    public mutating func append(bytes raw: UnsafeRawBufferPointer) {
        guard let base = raw.baseAddress else { return }
        append(contentsOf: UnsafeBufferPointer(start: base.assumingMemoryBound(to: UInt8.self), count: raw.count))
    }
}

public enum Hex {
    public static let digits: [UInt8] = Array("0123456789abcdef".utf8)
}
