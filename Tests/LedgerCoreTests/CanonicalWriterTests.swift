import Testing
@testable import LedgerCore

/// The canonical writer against RFC 8785 (JCS), for our value space: integers, strings,
/// booleans, null, arrays and objects.
@Suite("Canonical JSON (RFC 8785)")
struct CanonicalWriterTests {
    /// Canonical bytes of a parsed text.
    func canonical(_ text: String) throws -> [UInt8] {
        CanonicalWriter.encode(try JSONParser.parse(text))
    }

    @Test("RFC 8785 section 3.2.3: keys sorted by UTF-16 code units, not by code points")
    func rfcSortingExample() throws {
        let input = #"""
        {
          "\u20ac": "Euro Sign",
          "\r": "Carriage Return",
          "\ufb33": "Hebrew Letter Dalet With Dagesh",
          "1": "One",
          "\ud83d\ude00": "Emoji: Grinning Face",
          "\u0080": "Control",
          "\u00f6": "Latin Small Letter O With Diaeresis"
        }
        """#
        let expected = "{\"\\r\":\"Carriage Return\",\"1\":\"One\",\"\u{80}\":\"Control\","
            + "\"ö\":\"Latin Small Letter O With Diaeresis\",\"€\":\"Euro Sign\","
            + "\"😀\":\"Emoji: Grinning Face\",\"\u{FB33}\":\"Hebrew Letter Dalet With Dagesh\"}"
        #expect(try canonical(input) == Array(expected.utf8))
    }

    @Test("RFC 8785 section 3.2.2.2: string escaping")
    func rfcStringExample() throws {
        let input = #""\u20ac$\u000F\u000aA'\u0042\u0022\u005c\\\"\/""#
        let expected = #""€$\u000f\nA'B\"\\\\\"/""#
        #expect(try canonical(input) == Array(expected.utf8))
    }

    @Test("RFC 8785 section 3.2.2: literals, arrays and nested objects")
    func rfcStructureExample() throws {
        #expect(try canonical(#"[56, {"d": true, "10": null, "1": [ ]}]"#) == Array(#"[56,{"1":[],"10":null,"d":true}]"#.utf8))
    }

    @Test("every control character is escaped: short forms where JSON has them, else \\u00xx in lower case")
    func controlCharacters() {
        let short: [UInt8: String] = [0x08: #"\b"#, 0x09: #"\t"#, 0x0A: #"\n"#, 0x0C: #"\f"#, 0x0D: #"\r"#]
        let hex = Array("0123456789abcdef")
        for c in UInt8(0)...0x1F {
            let expected = short[c] ?? "\\u00\(hex[Int(c >> 4)])\(hex[Int(c & 0xF)])"
            let got = CanonicalWriter.encode(.string(String(UnicodeScalar(c))))
            #expect(got == Array("\"\(expected)\"".utf8), "U+\(String(c, radix: 16))")
        }
    }

    @Test("only quote, backslash and controls are escaped; '/', DEL and non-ASCII go out raw")
    func noNeedlessEscapes() {
        let raw = "/ \u{7F} é e\u{301} € \u{2028}\u{2029} \u{FEFF} 中文 😀 \u{10FFFF} <>&'"
        #expect(CanonicalWriter.encode(.string(raw)) == Array("\"\(raw)\"".utf8))
        #expect(CanonicalWriter.encode(.string("a\"b\\c")) == Array(#""a\"b\\c""#.utf8))
    }

    @Test("integers in plain decimal, the full Int64 range")
    func integers() {
        let cases: [(Int64, String)] = [
            (0, "0"), (7, "7"), (-7, "-7"), (10, "10"), (100_000_000, "100000000"),
            (Int64.max, "9223372036854775807"), (Int64.min, "-9223372036854775808"),
            (-1, "-1"), (1_000_000_000_000_000_000, "1000000000000000000"),
        ]
        for (value, text) in cases {
            #expect(CanonicalWriter.string(.int(value)) == text)
        }
        var w = CanonicalWriter()
        w.uint(UInt64.max)
        #expect(String(decoding: w.bytes, as: UTF8.self) == "18446744073709551615")
    }

    @Test("non-ASCII keys sort by UTF-16 code units, also past a shared prefix")
    func nonASCIIKeyOrder() {
        // U+1F600 is D83D DE00 in UTF-16, so it sorts before U+FFFD although its code point
        // (and its UTF-8) is larger. JCS follows UTF-16.
        let object: JSON = ["x\u{FFFD}": 1, "x😀": 2, "xé": 3, "xz": 4, "x": 5, "X": 6, "y": 7]
        let expected = "{\"X\":6,\"x\":5,\"xz\":4,\"xé\":3,\"x😀\":2,\"x\u{FFFD}\":1,\"y\":7}"
        #expect(CanonicalWriter.encode(object) == Array(expected.utf8))
        #expect(JCS.keyPrecedes("x😀", "x\u{FFFD}"))
        #expect(!JCS.keyPrecedes("x\u{FFFD}", "x😀"))
        #expect(JCS.keyPrecedes("", "a"))
        #expect(!JCS.keyPrecedes("a", "a"))
        #expect(JCS.keyPrecedes("a", "ab"))
        #expect(JCS.keyPrecedes("Z", "a"))
    }

    @Test("an object built in any order writes the same bytes")
    func buildOrderIrrelevant() {
        let pairs: [(String, JSON)] = [("seq", 1), ("actor", "a"), ("data", [:]), ("é", nil), ("A", true)]
        let forward = CanonicalWriter.encode(.object(JSONObject(pairs)))
        let backward = CanonicalWriter.encode(.object(JSONObject(pairs.reversed())))
        #expect(forward == backward)
        #expect(forward == Array(#"{"A":true,"actor":"a","data":{},"seq":1,"é":null}"#.utf8))
    }

    @Test("keys that differ only in normalisation stay two members")
    func normalisationKeys() {
        var object = JSONObject()
        object["\u{E9}"] = 1
        object["e\u{301}"] = 2
        #expect(object.count == 2)
        #expect(object["\u{E9}"] == 1)
        #expect(object["e\u{301}"] == 2)
        object["\u{E9}"] = nil
        #expect(object.count == 1)
        #expect(object.keys.map { Array($0.utf8) } == [Array("e\u{301}".utf8)])
    }

    @Test("strings that differ only in normalisation are different values")
    func normalisationValues() {
        // Different bytes hash differently, so idempotency must not call them the same content.
        #expect(JSON.string("\u{E9}") != JSON.string("e\u{301}"))
        let nfc: JSON = ["k": "\u{E9}"], nfd: JSON = ["k": "e\u{301}"]
        #expect(nfc != nfd)
    }

    @Test("the writer's buffer is reusable")
    func reset() {
        var w = CanonicalWriter()
        w.value(["b": 1, "a": [true, false, nil]])
        #expect(String(decoding: w.bytes, as: UTF8.self) == #"{"a":[true,false,null],"b":1}"#)
        w.reset()
        w.value("x")
        #expect(w.bytes == Array(#""x""#.utf8))
    }
}
