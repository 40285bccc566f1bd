import Testing
@testable import LedgerCore

/// The parser takes untrusted input: what it accepts, exactly what it refuses, and why.
@Suite("JSON parser")
struct JSONParserTests {
    @Test("accepts the value space the ledger stores")
    func acceptsValues() throws {
        #expect(try JSONParser.parse("null") == .null)
        #expect(try JSONParser.parse("true") == .bool(true))
        #expect(try JSONParser.parse("false") == .bool(false))
        #expect(try JSONParser.parse("0") == .int(0))
        #expect(try JSONParser.parse("-0") == .int(0))
        #expect(try JSONParser.parse("42") == .int(42))
        #expect(try JSONParser.parse("-17") == .int(-17))
        #expect(try JSONParser.parse("9223372036854775807") == .int(.max))
        #expect(try JSONParser.parse("-9223372036854775808") == .int(.min))
        #expect(try JSONParser.parse(#""""#) == .string(""))
        #expect(try JSONParser.parse("[]") == .array([]))
        #expect(try JSONParser.parse("{}") == .object(JSONObject()))
        #expect(try JSONParser.parse(" \t\r\n[1 , \"a\" ,{ \"b\" : null } ]\n ") == [1, "a", ["b": nil]])
    }

    @Test("refuses fractions and exponents", arguments: [
        "1.0", "1.5", "-0.0", "0.1", "1e3", "1E3", "1e-3", "2.5e10", "[1.0]", #"{"a":1e2}"#,
    ])
    func refusesNonIntegers(text: String) {
        #expect(throws: JSONParser.Error.self) { try JSONParser.parse(text) }
    }

    @Test("explains why a fraction is refused")
    func fractionMessage() {
        do {
            _ = try JSONParser.parse(#"{"amountCents":12.5}"#)
            Issue.record("a fraction was accepted")
        } catch {
            #expect(error.message.contains("whole integers"))
            #expect(error.offset == 15) // points at the number, not after it
        }
    }

    @Test("refuses malformed numbers", arguments: [
        "01", "-01", "00", "-", "+1", ".5", "1.", "0x10", "Infinity", "NaN", "-Infinity",
        "9223372036854775808", "-9223372036854775809", "99999999999999999999",
    ])
    func refusesMalformedNumbers(text: String) {
        #expect(throws: JSONParser.Error.self) { try JSONParser.parse(text) }
    }

    @Test("refuses duplicate keys in either order and at any depth", arguments: [
        #"{"a":1,"a":1}"#, #"{"a":1,"a":2}"#, #"{"b":1,"a":2,"b":3}"#, #"{"z":0,"y":0,"z":0}"#,
        #"{"x":{"k":1,"k":2}}"#, #"[{"a":1,"a":1}]"#, #"{"\u0061":1,"a":2}"#, #"{"é":1,"\u00e9":2}"#,
    ])
    func refusesDuplicateKeys(text: String) {
        do {
            _ = try JSONParser.parse(text)
            Issue.record("duplicate keys were accepted: \(text)")
        } catch {
            #expect(error.message.contains("duplicate key"))
        }
    }

    @Test("keys that differ only in Unicode normalisation are different keys, in either order")
    func normalisationDistinctKeys() throws {
        // "é" precomposed (U+00E9) and decomposed (e + U+0301) are different code points, so
        // different JCS keys. Swift's String == calls them equal; the parser must not.
        let nfc = "\u{E9}", nfd = "e\u{301}"
        for text in [#"{"\#(nfc)":1,"\#(nfd)":2}"#, #"{"\#(nfd)":2,"\#(nfc)":1}"#] {
            let value = try JSONParser.parse(text)
            #expect(value.object?.count == 2, "\(text)")
            #expect(CanonicalWriter.encode(value) == Array(#"{"\#(nfd)":2,"\#(nfc)":1}"#.utf8))
        }
    }

    @Test("refuses invalid UTF-8, inside and outside strings")
    func refusesInvalidUTF8() {
        let cases: [[UInt8]] = [
            [0x22, 0xFF, 0x22],                     // 0xFF never occurs in UTF-8
            [0x22, 0xC3, 0x22],                     // truncated two-byte sequence
            [0x22, 0xC0, 0xAF, 0x22],               // overlong '/'
            [0x22, 0xE0, 0x80, 0xAF, 0x22],         // overlong, three bytes
            [0x22, 0xED, 0xA0, 0x80, 0x22],         // encoded surrogate U+D800
            [0x22, 0xF4, 0x90, 0x80, 0x80, 0x22],   // above U+10FFFF
            [0x22, 0x80, 0x22],                     // lone continuation byte
            [0x22, 0x5C, 0x6E, 0xFF, 0x22],         // invalid after an escape (slow path)
            Array(#"{"a":"ok","#.utf8) + [0x22, 0xFE, 0x22] + Array(#":1}"#.utf8), // invalid key
            [0xEF, 0xBB, 0xBF] + Array("{}".utf8),  // a byte-order mark is not JSON
            [0xC3, 0xA9],                           // bare non-ASCII outside a string
        ]
        for bytes in cases {
            #expect(throws: JSONParser.Error.self, "\(bytes)") { try JSONParser.parse(bytes) }
        }
    }

    @Test("accepts valid multi-byte UTF-8 as is")
    func acceptsUTF8() throws {
        let text = #"{"straße":"Jugendamt Trier-Saarburg – Ü 😀 中文"}"#
        let value = try JSONParser.parse(text)
        #expect(value.object?["straße"] == .string("Jugendamt Trier-Saarburg – Ü 😀 中文"))
    }

    @Test("nesting up to the depth limit is accepted, one more level is refused")
    func depthLimit() throws {
        let max = JSONParser.maxDepth
        let arrays = String(repeating: "[", count: max) + String(repeating: "]", count: max)
        _ = try JSONParser.parse(arrays)
        let tooDeep = String(repeating: "[", count: max + 1) + String(repeating: "]", count: max + 1)
        #expect(throws: JSONParser.Error.self) { try JSONParser.parse(tooDeep) }

        var objects = "1"
        for _ in 0..<max { objects = #"{"a":\#(objects)}"# }
        _ = try JSONParser.parse(objects)
        #expect(throws: JSONParser.Error.self) { try JSONParser.parse(#"{"a":\#(objects)}"#) }

        // Mixed nesting counts the same way.
        var mixed = "0"
        for i in 0..<(max + 1) { mixed = i % 2 == 0 ? "[\(mixed)]" : #"{"k":\#(mixed)}"# }
        #expect(throws: JSONParser.Error.self) { try JSONParser.parse(mixed) }
    }

    @Test("a hostile nesting depth fails cleanly instead of overflowing the stack")
    func hostileDepth() {
        let text = String(repeating: "[", count: 100_000)
        #expect(throws: JSONParser.Error.self) { try JSONParser.parse(text) }
    }

    @Test("decodes escapes, including surrogate pairs")
    func escapes() throws {
        #expect(try JSONParser.parse(#""\"\\\/\b\f\n\r\t""#) == .string("\"\\/\u{8}\u{C}\n\r\t"))
        #expect(try JSONParser.parse(#""\u0041\u00e9\u00E9\u20ac""#) == .string("Aéé€"))
        #expect(try JSONParser.parse(#""\u0000""#) == .string("\u{0}"))
        #expect(try JSONParser.parse(#""\ud83d\ude00""#) == .string("😀"))
        #expect(try JSONParser.parse(#""\uD83D\uDE00""#) == .string("😀"))
        #expect(try JSONParser.parse(#""a\uDBFF\uDFFFb""#) == .string("a\u{10FFFF}b"))
        #expect(try JSONParser.parse(#""\ud800\udc00""#) == .string("\u{10000}"))
        // A pair and the literal character are the same string and the same canonical bytes.
        #expect(CanonicalWriter.encode(try JSONParser.parse(#""\ud83d\ude00""#)) == Array(#""😀""#.utf8))
    }

    @Test("refuses broken escapes and unpaired surrogates", arguments: [
        #""\ud83d""#, #""\ud83dx""#, #""\ud83d\u0041""#, #""\ude00""#, #""\ude00\ud83d""#,
        #""\ud83d\ud83d""#, #""\ud83d\n""#, #""\u12""#, #""\u12g4""#, #""\x41""#, #""\a""#, #""\U0041""#,
        #""\"#, #""abc"#, "\"a\u{1}b\"", "\"tab\there\"", "\"line\nbreak\"",
    ])
    func refusesBadStrings(text: String) {
        #expect(throws: JSONParser.Error.self) { try JSONParser.parse(text) }
    }

    @Test("refuses other malformed text", arguments: [
        "", " ", "nul", "tru", "True", "NULL", "[", "]", "[1,]", "[,1]", "[1 2]", "{", "}", #"{"a"}"#,
        #"{"a":}"#, #"{"a":1,}"#, #"{,"a":1}"#, #"{a:1}"#, #"{'a':1}"#, #"{"a" 1}"#, "{1:2}",
        "1 2", "{} {}", "[] x", "// comment\n1", "/* c */ 1", "'single'", "\u{0B}1", "\u{0C}1",
    ])
    func refusesMalformed(text: String) {
        #expect(throws: JSONParser.Error.self) { try JSONParser.parse(text) }
    }

    @Test("errors name the byte where the problem is")
    func errorOffsets() {
        do {
            _ = try JSONParser.parse(#"{"a":1,"a":2}"#)
        } catch {
            #expect(error.offset == 7)
            #expect(error.description == #"duplicate key "a" (at byte 8)"#)
        }
        do {
            _ = try JSONParser.parse("[1,2] x")
        } catch {
            #expect(error.offset == 6)
        }
    }

    @Test("objects come out in JCS key order whatever the input order")
    func sortsKeys() throws {
        let value = try JSONParser.parse(#"{"seq":1,"actor":"a","data":{},"Z":0,"_":0,"a1":0,"a":0}"#)
        #expect(value.object?.keys == ["Z", "_", "a", "a1", "actor", "data", "seq"])
    }
}
