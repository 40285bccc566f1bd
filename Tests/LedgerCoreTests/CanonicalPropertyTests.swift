import Testing
@testable import LedgerCore

/// A small, seeded random number generator (SplitMix64), so that failures reproduce. The other
/// test targets use LedgerGen's; the core's tests keep this copy so that they build and run
/// without the layers built on the core.
struct SplitMix64: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// Random JSON values from the ledger's value space, weighted towards the awkward corners:
/// control characters, quotes, backslashes, non-ASCII, astral characters, extreme integers.
struct RandomJSON {
    var rng: SplitMix64

    static let scalars: [Unicode.Scalar] = {
        var s: [Unicode.Scalar] = Array("abcxyzABZ019 _-:./".unicodeScalars)
        s += (0..<0x20).map { Unicode.Scalar(UInt8($0)) }
        s += ["\"", "\\", "/", "\u{7F}", "\u{80}", "\u{E9}", "\u{301}", "\u{F6}", "\u{DF}", "\u{20AC}",
              "\u{2028}", "\u{FEFF}", "\u{FB33}", "\u{FFFD}", "\u{FFFF}", "\u{4E2D}", "\u{1F600}", "\u{10FFFF}", "\u{10000}"]
        return s
    }()

    mutating func int(_ range: ClosedRange<Int>) -> Int { Int.random(in: range, using: &rng) }

    mutating func string(maxLength: Int) -> String {
        var s = String.UnicodeScalarView()
        for _ in 0..<int(0...maxLength) { s.append(Self.scalars[int(0...(Self.scalars.count - 1))]) }
        return String(s)
    }

    mutating func integer() -> Int64 {
        switch int(0...5) {
        case 0: return [0, 1, -1, .max, .min, .max - 1, .min + 1, 10, -10][int(0...8)]
        case 1: return Int64.random(in: .min ... .max, using: &rng)
        case 2: return Int64.random(in: -1_000_000_000_000 ... 1_000_000_000_000, using: &rng)
        default: return Int64(int(-1000...100_000))
        }
    }

    mutating func value(depth: Int = 0) -> JSON {
        let leafOnly = depth >= 5
        switch int(0...(leafOnly ? 4 : 6)) {
        case 0: return .null
        case 1: return .bool(int(0...1) == 1)
        case 2: return .int(integer())
        case 3, 4: return .string(string(maxLength: 12))
        case 5: return .array((0..<int(0...5)).map { _ in value(depth: depth + 1) })
        default:
            var pairs: [(String, JSON)] = []
            for _ in 0..<int(0...6) { pairs.append((string(maxLength: 5), value(depth: depth + 1))) }
            return .object(JSONObject(pairs))
        }
    }

    /// Some valid, non-canonical text of `v`: random whitespace, member order and escapes.
    mutating func noisyText(_ v: JSON) -> String {
        var out = ""
        noisy(v, into: &out)
        return out
    }

    private mutating func space(_ out: inout String) {
        for _ in 0..<int(0...2) { out += [" ", "\n", "\t", "\r"][int(0...3)] }
    }

    private mutating func noisy(_ v: JSON, into out: inout String) {
        space(&out)
        switch v {
        case .null: out += "null"
        case .bool(let b): out += b ? "true" : "false"
        case .int(let i): out += String(i)
        case .string(let s): noisyString(s, into: &out)
        case .array(let items):
            out += "["
            for (n, item) in items.enumerated() {
                if n > 0 { out += "," }
                noisy(item, into: &out)
            }
            space(&out)
            out += "]"
        case .object(let o):
            out += "{"
            for (n, m) in o.members.shuffled(using: &rng).enumerated() {
                if n > 0 { out += "," }
                space(&out)
                noisyString(m.key, into: &out)
                space(&out)
                out += ":"
                noisy(m.value, into: &out)
            }
            space(&out)
            out += "}"
        }
        space(&out)
    }

    private mutating func noisyString(_ s: String, into out: inout String) {
        out += "\""
        for scalar in s.unicodeScalars {
            let escape = int(0...3) == 0
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "/" where escape: out += "\\/"
            case _ where scalar.value < 0x20 || escape:
                if scalar.value > 0xFFFF {
                    let v = scalar.value - 0x10000
                    out += hex4(0xD800 + (v >> 10)) + hex4(0xDC00 + (v & 0x3FF))
                } else {
                    out += hex4(scalar.value)
                }
            default: out.unicodeScalars.append(scalar)
            }
        }
        out += "\""
    }

    private mutating func hex4(_ v: UInt32) -> String {
        let digits = String(v, radix: 16, uppercase: int(0...1) == 1)
        return "\\u" + String(repeating: "0", count: 4 - digits.count) + digits
    }
}

/// An independent, deliberately naive JCS writer to check the fast one against.
enum ReferenceJCS {
    static func text(_ v: JSON) -> String {
        switch v {
        case .null: return "null"
        case .bool(let b): return b ? "true" : "false"
        case .int(let i): return String(i)
        case .string(let s): return string(s)
        case .array(let items): return "[" + items.map(text).joined(separator: ",") + "]"
        case .object(let o):
            let sorted = o.members.sorted { $0.key.utf16.lexicographicallyPrecedes($1.key.utf16) }
            return "{" + sorted.map { string($0.key) + ":" + text($0.value) }.joined(separator: ",") + "}"
        }
    }

    static func string(_ s: String) -> String {
        var out = "\""
        for u in s.unicodeScalars {
            switch u.value {
            case 0x22: out += "\\\""
            case 0x5C: out += "\\\\"
            case 0x08: out += "\\b"
            case 0x09: out += "\\t"
            case 0x0A: out += "\\n"
            case 0x0C: out += "\\f"
            case 0x0D: out += "\\r"
            case 0..<0x20:
                let h = String(u.value, radix: 16)
                out += "\\u" + String(repeating: "0", count: 4 - h.count) + h
            default: out.unicodeScalars.append(u)
            }
        }
        return out + "\""
    }
}

@Suite("Canonical JSON properties")
struct CanonicalPropertyTests {
    static let cases = 4000

    @Test("parse(canonical(x)) == x, and canonical is idempotent", arguments: [1 as UInt64, 2, 3])
    func roundTrip(seed: UInt64) throws {
        var gen = RandomJSON(rng: SplitMix64(seed: seed))
        for n in 0..<Self.cases {
            let x = gen.value()
            let bytes = CanonicalWriter.encode(x)
            let y = try JSONParser.parse(bytes)
            #expect(y == x, "seed \(seed) case \(n)")
            #expect(CanonicalWriter.encode(y) == bytes, "seed \(seed) case \(n)")
            #expect(bytes == Array(ReferenceJCS.text(x).utf8), "seed \(seed) case \(n): \(ReferenceJCS.text(x))")
            if y != x { return }
        }
    }

    @Test("any valid spelling of a value (whitespace, member order, escapes) has the same canonical bytes")
    func noisySpellings() throws {
        var gen = RandomJSON(rng: SplitMix64(seed: 0xD0_99E1))
        for n in 0..<Self.cases {
            let x = gen.value()
            let text = gen.noisyText(x)
            let parsed: JSON
            do { parsed = try JSONParser.parse(text) } catch {
                Issue.record("case \(n): \(error) in \(text.debugDescription)")
                return
            }
            #expect(CanonicalWriter.encode(parsed) == CanonicalWriter.encode(x), "case \(n): \(text.debugDescription)")
        }
    }

    @Test("canonical text is strict JSON the parser accepts byte for byte, and never contains raw controls")
    func canonicalIsPlain() throws {
        var gen = RandomJSON(rng: SplitMix64(seed: 99))
        for _ in 0..<1000 {
            let bytes = CanonicalWriter.encode(gen.value())
            #expect(!bytes.contains { $0 < 0x20 })
            #expect(String(validating: bytes, as: UTF8.self) != nil)
        }
    }
}
