#if canImport(Glibc)
import Glibc
#endif
#if canImport(COpenSSL)
internal import COpenSSL
#else
internal import Crypto
#endif

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
        var text = String(hex)
        guard let d = text.withUTF8({ Digest32(hexBytes: UnsafeRawBufferPointer($0)) }) else { return nil }
        self = d
    }

    /// Parses 64 lower-case hex digits given as bytes (exactly 64 of them).
    @inline(__always)
    public init?(hexBytes h: UnsafeRawBufferPointer) {
        guard h.count == 64 else { return nil }
        var words: (UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0)
        var bad: UInt8 = 0
        withUnsafeMutableBytes(of: &words) { out in
            for i in 0..<32 {
                let hi = Self.nibbleOrFlag(h[2 * i]), lo = Self.nibbleOrFlag(h[2 * i + 1])
                bad |= (hi | lo) & 0x80
                out[i] = hi << 4 | lo & 0x0F
            }
        }
        guard bad == 0 else { return nil }
        self.init(w0: words.0, w1: words.1, w2: words.2, w3: words.3)
    }

    /// The value of a lower-case hex digit, or 0x80 for any other byte (no branches to mispredict).
    @inline(__always)
    static func nibbleOrFlag(_ c: UInt8) -> UInt8 {
        let digit = c &- 0x30, letter = c &- 0x61
        if digit < 10 { return digit }
        if letter < 6 { return letter &+ 10 }
        return 0x80
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
        var text: (UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0, 0, 0, 0, 0)
        withUnsafeBytes(of: &copy) { raw in
            withUnsafeMutableBytes(of: &text) { hex in
                for i in 0..<32 {
                    hex[2 * i] = Self.hexDigit(raw[i] >> 4)
                    hex[2 * i + 1] = Self.hexDigit(raw[i] & 0xF)
                }
                out.append(bytes: UnsafeRawBufferPointer(hex))
            }
        }
    }

    @inline(__always)
    static func hexDigit(_ n: UInt8) -> UInt8 { n < 10 ? 0x30 &+ n : 0x57 &+ n }

    /// The 64 lower-case hex digits as a fixed-size value (no allocation), for comparing with text in place.
    @inline(__always)
    public var hexText: HexText {
        var copy = self
        var text = HexText()
        withUnsafeBytes(of: &copy) { raw in
            withUnsafeMutableBytes(of: &text.words) { hex in
                for i in 0..<32 {
                    hex[2 * i] = Self.hexDigit(raw[i] >> 4)
                    hex[2 * i + 1] = Self.hexDigit(raw[i] & 0xF)
                }
            }
        }
        return text
    }

    /// 64 hex digits held inline.
    public struct HexText: Equatable, Sendable {
        var words: (UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0, 0, 0, 0, 0)

        public init() {}

        /// Whether `text` (64 bytes) is exactly these digits.
        @inline(__always)
        public func matches(_ text: UnsafeRawBufferPointer) -> Bool {
            guard text.count == 64 else { return false }
            var w = words
            return withUnsafeBytes(of: &w) { memcmp($0.baseAddress!, text.baseAddress!, 64) == 0 }
        }

        public static func == (a: HexText, b: HexText) -> Bool {
            a.words.0 == b.words.0 && a.words.1 == b.words.1 && a.words.2 == b.words.2 && a.words.3 == b.words.3
                && a.words.4 == b.words.4 && a.words.5 == b.words.5 && a.words.6 == b.words.6 && a.words.7 == b.words.7
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
        #if canImport(COpenSSL)
        var out = Digest32.zero
        withUnsafeMutableBytes(of: &out) { o in
            copenssl_sha256(data.baseAddress, data.count, o.baseAddress!.assumingMemoryBound(to: UInt8.self))
        }
        return out
        #else
        let digest = SHA256.hash(data: data)
        return digest.withUnsafeBytes { Digest32(bytes: $0) }
        #endif
    }

    /// SHA-256 of `data`.
    public static func sha256(_ data: [UInt8]) -> Digest32 {
        data.withUnsafeBytes { sha256($0) }
    }
}
