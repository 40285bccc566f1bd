internal import Crypto

/// A SHA-256 digest: 32 bytes, compared and hashed as four words.
public struct Digest32: Hashable, Sendable, CustomStringConvertible {
    public var w0: UInt64, w1: UInt64, w2: UInt64, w3: UInt64

    /// 64 zeros: the `prev` of the first record.
    public static let zero = Digest32(w0: 0, w1: 0, w2: 0, w3: 0)

    public init(w0: UInt64, w1: UInt64, w2: UInt64, w3: UInt64) {
        self.w0 = w0; self.w1 = w1; self.w2 = w2; self.w3 = w3
    }

    /// Reads 32 raw bytes.
    @inline(__always)
    public init(bytes: UnsafeRawBufferPointer) {
        precondition(bytes.count >= 32)
        w0 = bytes.loadUnaligned(fromByteOffset: 0, as: UInt64.self)
        w1 = bytes.loadUnaligned(fromByteOffset: 8, as: UInt64.self)
        w2 = bytes.loadUnaligned(fromByteOffset: 16, as: UInt64.self)
        w3 = bytes.loadUnaligned(fromByteOffset: 24, as: UInt64.self)
    }

    /// Parses 64 lower-case hex digits.
    public init?(hex: some StringProtocol) {
        let utf8 = Array(hex.utf8)
        guard utf8.count == 64 else { return nil }
        var raw = [UInt8](repeating: 0, count: 32)
        for i in 0..<32 {
            guard let hi = Self.nibble(utf8[2 * i]), let lo = Self.nibble(utf8[2 * i + 1]) else { return nil }
            raw[i] = hi << 4 | lo
        }
        self = raw.withUnsafeBytes { Digest32(bytes: $0) }
    }

    @inline(__always)
    public static func nibble(_ c: UInt8) -> UInt8? {
        switch c {
        case 0x30...0x39: c - 0x30
        case 0x61...0x66: c - 0x61 + 10
        default: nil
        }
    }

    /// The 32 raw bytes.
    public var bytes: [UInt8] {
        var copy = self
        return withUnsafeBytes(of: &copy) { Array($0) }
    }

    /// Appends 64 lower-case hex digits.
    @inline(__always)
    public func appendHex(to out: inout [UInt8]) {
        var copy = self
        withUnsafeBytes(of: &copy) { raw in
            for b in raw {
                out.append(Hex.digits[Int(b >> 4)])
                out.append(Hex.digits[Int(b & 0xF)])
            }
        }
    }

    /// 64 lower-case hex digits.
    public var hex: String {
        var out: [UInt8] = []
        out.reserveCapacity(64)
        appendHex(to: &out)
        return String(decoding: out, as: UTF8.self)
    }

    public var description: String { hex }

    /// SHA-256 of `data`.
    @inline(__always)
    public static func sha256(_ data: UnsafeRawBufferPointer) -> Digest32 {
        let digest = SHA256.hash(data: data)
        return digest.withUnsafeBytes { Digest32(bytes: $0) }
    }

    /// SHA-256 of `data`.
    public static func sha256(_ data: [UInt8]) -> Digest32 {
        data.withUnsafeBytes { sha256($0) }
    }
}
