/// A compact binary encoding for the small state records rules and views keep.
/// Little-endian integers, strings as a length byte and UTF-8 (ids are at most 64 bytes).
public struct BinaryWriter {
    public var bytes: [UInt8] = []

    public init() { bytes.reserveCapacity(64) }

    @inline(__always)
    public mutating func int(_ v: Int64) {
        withUnsafeBytes(of: v.littleEndian) { bytes.append(contentsOf: $0) }
    }

    @inline(__always)
    public mutating func int32(_ v: Int32) {
        withUnsafeBytes(of: v.littleEndian) { bytes.append(contentsOf: $0) }
    }

    @inline(__always)
    public mutating func byte(_ v: UInt8) { bytes.append(v) }

    public mutating func string(_ s: String) {
        let u = Array(s.utf8)
        precondition(u.count < 256, "state strings are ids of at most 64 bytes")
        bytes.append(UInt8(u.count))
        bytes.append(contentsOf: u)
    }

    public mutating func date(_ d: CalendarDate?) { int32(d?.daysSinceEpoch ?? Int32.min) }
}

/// Reads what ``BinaryWriter`` wrote. Reading past the end yields zeros (state is trusted:
/// it is written only by the rules in the same transaction as the log).
public struct BinaryReader {
    let bytes: [UInt8]
    var pos = 0

    public init(_ bytes: [UInt8]) { self.bytes = bytes }

    public var isAtEnd: Bool { pos >= bytes.count }

    public mutating func int() -> Int64 {
        guard pos + 8 <= bytes.count else { pos = bytes.count; return 0 }
        defer { pos += 8 }
        return bytes.withUnsafeBytes { Int64(littleEndian: $0.loadUnaligned(fromByteOffset: pos, as: Int64.self)) }
    }

    public mutating func int32() -> Int32 {
        guard pos + 4 <= bytes.count else { pos = bytes.count; return 0 }
        defer { pos += 4 }
        return bytes.withUnsafeBytes { Int32(littleEndian: $0.loadUnaligned(fromByteOffset: pos, as: Int32.self)) }
    }

    public mutating func byte() -> UInt8 {
        guard pos < bytes.count else { return 0 }
        defer { pos += 1 }
        return bytes[pos]
    }

    public mutating func string() -> String {
        let n = Int(byte())
        guard pos + n <= bytes.count else { pos = bytes.count; return "" }
        defer { pos += n }
        return String(decoding: bytes[pos..<(pos + n)], as: UTF8.self)
    }

    public mutating func date() -> CalendarDate? {
        let d = int32()
        return d == Int32.min ? nil : CalendarDate(daysSinceEpoch: d)
    }
}

/// Builds state keys: a short prefix and parts joined by `/` (ids never contain `/`).
@inline(__always)
public func stateKey(_ parts: String...) -> [UInt8] {
    var key: [UInt8] = []
    key.reserveCapacity(32)
    for (i, p) in parts.enumerated() {
        if i > 0 { key.append(UInt8(ascii: "/")) }
        key.append(contentsOf: p.utf8)
    }
    return key
}

/// `a/b`: the common two-part state key, without the variadic form's array.
@inline(__always)
public func stateKey(_ a: String, _ b: String) -> [UInt8] {
    var key: [UInt8] = []
    key.reserveCapacity(a.utf8.count + b.utf8.count + 1)
    key.append(contentsOf: a.utf8)
    key.append(UInt8(ascii: "/"))
    key.append(contentsOf: b.utf8)
    return key
}
