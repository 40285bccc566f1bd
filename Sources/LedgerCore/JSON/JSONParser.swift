/// A strict, fast JSON parser (RFC 8259) for untrusted input.
///
/// Refuses what the ledger never stores: numbers with fractions or exponents, integers outside
/// `Int64`, duplicate keys, invalid UTF-8, nesting deeper than ``maxDepth``, and trailing bytes.
public struct JSONParser {
    /// How deep arrays and objects may nest.
    public static let maxDepth = 32

    public struct Error: Swift.Error, Equatable, CustomStringConvertible {
        public let message: String
        public let offset: Int
        public var description: String { "\(message) (at byte \(offset + 1))" }
    }

    /// Parses one JSON text from `bytes`.
    public static func parse(_ bytes: UnsafeRawBufferPointer) throws(Error) -> JSON {
        var parser = JSONParser(bytes: bytes.bindMemory(to: UInt8.self))
        parser.skipSpace()
        let value = try parser.parseValue(depth: 0)
        parser.skipSpace()
        if parser.pos != parser.bytes.count { throw parser.error("unexpected text after the JSON value") }
        return value
    }

    /// Parses one JSON text from an array of bytes.
    public static func parse(_ bytes: [UInt8]) throws(Error) -> JSON {
        let result: Result<JSON, Error> = bytes.withUnsafeBytes { raw in
            do throws(Error) { return .success(try parse(raw)) } catch { return .failure(error) }
        }
        return try result.get()
    }

    /// Parses one JSON text from a string.
    public static func parse(_ text: String) throws(Error) -> JSON {
        try parse(Array(text.utf8))
    }

    let bytes: UnsafeBufferPointer<UInt8>
    var pos = 0

    init(bytes: UnsafeBufferPointer<UInt8>) { self.bytes = bytes }

    func error(_ message: String) -> Error { Error(message: message, offset: pos) }

    @inline(__always)
    mutating func skipSpace() {
        while pos < bytes.count {
            let c = bytes[pos]
            if c == 0x20 || c == 0x0A || c == 0x0D || c == 0x09 { pos += 1 } else { break }
        }
    }

    mutating func parseValue(depth: Int) throws(Error) -> JSON {
        guard pos < bytes.count else { throw error("unexpected end of JSON") }
        switch bytes[pos] {
        case UInt8(ascii: "{"): return .object(try parseObject(depth: depth + 1))
        case UInt8(ascii: "["): return try parseArray(depth: depth + 1)
        case UInt8(ascii: "\""): return .string(try parseString())
        case UInt8(ascii: "t"): try literal("true"); return .bool(true)
        case UInt8(ascii: "f"): try literal("false"); return .bool(false)
        case UInt8(ascii: "n"): try literal("null"); return .null
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return .int(try parseInteger())
        default: throw error("unexpected character '\(Self.printable(bytes[pos]))'")
        }
    }

    static func printable(_ c: UInt8) -> String {
        c >= 0x20 && c < 0x7F ? String(UnicodeScalar(c)) : "\\u{\(String(c, radix: 16))}"
    }

    mutating func literal(_ word: StaticString) throws(Error) {
        let n = word.utf8CodeUnitCount
        guard pos + n <= bytes.count else { throw error("unexpected end of JSON") }
        let w = word.utf8Start
        for i in 0..<n where bytes[pos + i] != w[i] { throw error("invalid literal") }
        pos += n
    }

    mutating func parseInteger() throws(Error) -> Int64 {
        let start = pos
        var negative = false
        if bytes[pos] == UInt8(ascii: "-") { negative = true; pos += 1 }
        guard pos < bytes.count, bytes[pos] >= 0x30, bytes[pos] <= 0x39 else { throw error("invalid number") }
        if bytes[pos] == 0x30, pos + 1 < bytes.count, bytes[pos + 1] >= 0x30, bytes[pos + 1] <= 0x39 {
            throw error("numbers must not have leading zeros")
        }
        var value: Int64 = 0
        while pos < bytes.count, bytes[pos] >= 0x30, bytes[pos] <= 0x39 {
            let digit = Int64(bytes[pos] - 0x30)
            let (m, o1) = value.multipliedReportingOverflow(by: 10)
            let (a, o2) = negative ? m.subtractingReportingOverflow(digit) : m.addingReportingOverflow(digit)
            if o1 || o2 { pos = start; throw error("number out of range (integers up to 19 digits)") }
            value = a
            pos += 1
        }
        if pos < bytes.count, bytes[pos] == UInt8(ascii: ".") || bytes[pos] == UInt8(ascii: "e") || bytes[pos] == UInt8(ascii: "E") {
            pos = start
            throw error("numbers must be whole integers (amounts in cents, spans in minutes)")
        }
        return value
    }

    mutating func parseString() throws(Error) -> String {
        pos += 1 // opening quote
        let start = pos
        // Fast path: no escapes.
        while pos < bytes.count {
            let c = bytes[pos]
            if c == UInt8(ascii: "\"") {
                let slice = UnsafeBufferPointer(rebasing: bytes[start..<pos])
                pos += 1
                guard let s = String(validating: slice, as: UTF8.self) else {
                    pos = start; throw error("invalid UTF-8 in string")
                }
                return s
            }
            if c == UInt8(ascii: "\\") { break }
            if c < 0x20 { throw error("control character in string (escape it)") }
            pos += 1
        }
        // Slow path with escapes.
        var out = [UInt8](UnsafeBufferPointer(rebasing: bytes[start..<pos]))
        while pos < bytes.count {
            let c = bytes[pos]
            if c == UInt8(ascii: "\"") {
                pos += 1
                guard let s = String(validating: out, as: UTF8.self) else {
                    pos = start; throw error("invalid UTF-8 in string")
                }
                return s
            }
            if c < 0x20 { throw error("control character in string (escape it)") }
            if c != UInt8(ascii: "\\") { out.append(c); pos += 1; continue }
            pos += 1
            guard pos < bytes.count else { break }
            let e = bytes[pos]
            pos += 1
            switch e {
            case UInt8(ascii: "\""): out.append(0x22)
            case UInt8(ascii: "\\"): out.append(0x5C)
            case UInt8(ascii: "/"): out.append(0x2F)
            case UInt8(ascii: "b"): out.append(0x08)
            case UInt8(ascii: "f"): out.append(0x0C)
            case UInt8(ascii: "n"): out.append(0x0A)
            case UInt8(ascii: "r"): out.append(0x0D)
            case UInt8(ascii: "t"): out.append(0x09)
            case UInt8(ascii: "u"):
                var scalar = try hex4()
                if scalar >= 0xD800 && scalar < 0xDC00 {
                    guard pos + 1 < bytes.count, bytes[pos] == UInt8(ascii: "\\"), bytes[pos + 1] == UInt8(ascii: "u") else {
                        throw error("unpaired surrogate in string")
                    }
                    pos += 2
                    let low = try hex4()
                    guard low >= 0xDC00 && low < 0xE000 else { throw error("unpaired surrogate in string") }
                    scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                } else if scalar >= 0xDC00 && scalar < 0xE000 {
                    throw error("unpaired surrogate in string")
                }
                guard let u = Unicode.Scalar(scalar) else { throw error("invalid \\u escape") }
                out.append(contentsOf: String(Character(u)).utf8)
            default:
                pos -= 1
                throw error("invalid escape in string")
            }
        }
        throw error("unterminated string")
    }

    mutating func hex4() throws(Error) -> UInt32 {
        guard pos + 4 <= bytes.count else { throw error("invalid \\u escape") }
        var v: UInt32 = 0
        for _ in 0..<4 {
            let c = bytes[pos]
            let d: UInt32
            switch c {
            case 0x30...0x39: d = UInt32(c - 0x30)
            case 0x41...0x46: d = UInt32(c - 0x41 + 10)
            case 0x61...0x66: d = UInt32(c - 0x61 + 10)
            default: throw error("invalid \\u escape")
            }
            v = v << 4 | d
            pos += 1
        }
        return v
    }

    mutating func parseArray(depth: Int) throws(Error) -> JSON {
        if depth > Self.maxDepth { throw error("JSON nested too deeply (more than \(Self.maxDepth) levels)") }
        pos += 1
        var items: [JSON] = []
        skipSpace()
        if pos < bytes.count, bytes[pos] == UInt8(ascii: "]") { pos += 1; return .array(items) }
        while true {
            skipSpace()
            items.append(try parseValue(depth: depth))
            skipSpace()
            guard pos < bytes.count else { throw error("unterminated array") }
            if bytes[pos] == UInt8(ascii: ",") { pos += 1; continue }
            if bytes[pos] == UInt8(ascii: "]") { pos += 1; return .array(items) }
            throw error("expected ',' or ']' in array")
        }
    }

    mutating func parseObject(depth: Int) throws(Error) -> JSONObject {
        if depth > Self.maxDepth { throw error("JSON nested too deeply (more than \(Self.maxDepth) levels)") }
        pos += 1
        var members: [JSONObject.Member] = []
        members.reserveCapacity(12)
        var sorted = true
        skipSpace()
        if pos < bytes.count, bytes[pos] == UInt8(ascii: "}") { pos += 1; return JSONObject(sortedUnique: members) }
        while true {
            skipSpace()
            guard pos < bytes.count, bytes[pos] == UInt8(ascii: "\"") else { throw error("expected a quoted key in object") }
            let keyStart = pos
            let key = try parseString()
            skipSpace()
            guard pos < bytes.count, bytes[pos] == UInt8(ascii: ":") else { throw error("expected ':' after key") }
            pos += 1
            skipSpace()
            let value = try parseValue(depth: depth)
            if let last = members.last, sorted {
                if !JCS.keyPrecedes(last.key, key) {
                    if JCS.keyEquals(last.key, key) { pos = keyStart; throw error("duplicate key \"\(key)\"") }
                    sorted = false
                }
            }
            members.append(.init(key: key, value: value))
            skipSpace()
            guard pos < bytes.count else { throw error("unterminated object") }
            if bytes[pos] == UInt8(ascii: ",") { pos += 1; continue }
            if bytes[pos] == UInt8(ascii: "}") { pos += 1; break }
            throw error("expected ',' or '}' in object")
        }
        if !sorted {
            members.sort { JCS.keyPrecedes($0.key, $1.key) }
            for i in 1..<members.count where JCS.keyEquals(members[i - 1].key, members[i].key) {
                throw error("duplicate key \"\(members[i].key)\"")
            }
        }
        return JSONObject(sortedUnique: members)
    }
}
