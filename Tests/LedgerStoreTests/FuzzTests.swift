import Foundation
import LedgerGen
import Testing
import LMDB
@testable import LedgerCore
@testable import LedgerStore

/// Property-based fuzzing of every parser an outside line goes through (JSON, import line or
/// HTTP body, domain event) and of the rules behind them, seeded, many thousands of cases per
/// run: no crash, refusals are one-sentence `ValidationError`s or `JSONParser.Error`s, what parses
/// re-encodes to itself, and nothing invalid is ever appended.
@Suite("Fuzzing the input parsers", .serialized)
struct FuzzTests {
    static let root: URL = {
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<3 { url.deleteLastPathComponent() }
        return url
    }()

    /// Valid import lines: each event type's valid schema examples, the import-line examples,
    /// and a Konz world whose Kontrakte the bookings can hit.
    static func seedLines() throws -> [[UInt8]] {
        var lines: [[UInt8]] = []
        let examples = root.appendingPathComponent("Schemas/examples")
        for type in EventType.allCases {
            let folder = examples.appendingPathComponent(type.rawValue)
            for file in try FileManager.default.contentsOfDirectory(atPath: folder.path) where file.hasPrefix("valid") {
                let data = try JSONParser.parse(try [UInt8](Data(contentsOf: folder.appendingPathComponent(file))))
                let line = JSON.object(JSONObject([("type", .string(type.rawValue)), ("key", .string("x-\(lines.count)")),
                                                   ("actor", "asd-07"), ("data", data)]))
                lines.append(CanonicalWriter.encode(line))
            }
        }
        let folder = examples.appendingPathComponent("import-line")
        for file in try FileManager.default.contentsOfDirectory(atPath: folder.path) where file.hasPrefix("valid") {
            lines.append(CanonicalWriter.encode(try JSONParser.parse(try [UInt8](Data(contentsOf: folder.appendingPathComponent(file))))))
        }
        return lines
    }

    static let world: [NewEvent] = [
        NewEvent(type: "SignerAuthorized", key: "w-s1", data: JSONObject([("signer", "asd-07"), ("from", "2024-01-01")])),
        NewEvent(type: "SignerAuthorized", key: "w-s2", data: JSONObject([("signer", "asd-03"), ("from", "2024-01-01")])),
        NewEvent(type: "BudgetSet", key: "w-b1", data: JSONObject([("sozialraum", "konz"), ("year", 2025), ("gesamtCents", 104_000_000)])),
        NewEvent(type: "AgreementSigned", key: "w-a1", data: JSONObject([
            ("agreement", "kv-w-1"), ("traeger", "caritas"), ("sozialraum", "konz"), ("validFrom", "2025-01-01"), ("validTo", "2028-12-31"),
            ("stellenfaktorCents", 8_500_000), ("jahresarbeitszeitMinutes", 96_000), ("planstellenHundredths", 250)])),
        NewEvent(type: "KontraktSigned", key: "w-k1", data: JSONObject([
            ("kontrakt", "k-2025-konz-0042"), ("fall", "f-7c3e91"), ("sozialraum", "konz"), ("traeger", "caritas"), ("hilfeart", "31"),
            ("funding", "personalisiert"), ("grantedMinutes", 7800), ("validFrom", "2025-04-01"), ("validTo", "2025-09-30"), ("signedBy", "asd-07")])),
    ]

    static let tokens: [String] = [
        "null", "true", "false", "0", "-0", "-1", "1e5", "0.5", "01", "9223372036854775807", "9223372036854775808",
        "-9223372036854775808", "-9223372036854775809", "\"\"", "\"\\u0000\"", "\"\\ud800\"", "\"\\uDFFF\"", "\"\\n\"", "{}", "[]",
        "[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[", "\"ü😀\"", "\"a\":1", ",", ":", "\"", "\\", "{\"type\":", "\u{FEFF}", " ", "\t\r",
    ]

    static let values: [JSON] = [
        .null, .bool(true), .bool(false), .int(0), .int(-1), .int(1), .int(Int64.max), .int(Int64.min), .int(1 << 53), .int(999_999_999_999),
        .string(""), .string("x"), .string(String(repeating: "a", count: 5000)), .string("ü😀"), .string("a\u{0}b"), .string("a\nb"),
        .string("2025-02-30"), .string("2025-1-1"), .string("2025-04-02"), .string("ASD-07"), .string("asd-07"), .string("konz"),
        .string("k-2025-konz-0042"), .string("caritas"), .string("31"), .string("35a"), .string("variabel"), .string("2025-04-02T09:15:00Z"),
        .array([]), .array([.int(1), .null]), .object(JSONObject()), .object(JSONObject([("a", .int(1))])),
    ]

    /// One to four byte-level changes: flips, interesting bytes, cut ranges, doubled ranges, tokens, truncation.
    static func mutateBytes(_ line: [UInt8], _ rng: inout SplitMix64) -> [UInt8] {
        var b = line
        for _ in 0..<Int.random(in: 1...4, using: &rng) {
            let at = b.isEmpty ? 0 : Int.random(in: 0..<b.count, using: &rng)
            switch Int.random(in: 0..<7, using: &rng) {
            case 0 where !b.isEmpty: b[at] ^= UInt8.random(in: 1...255, using: &rng)
            case 1 where !b.isEmpty: b[at] = Array("{}[]\",:\\0123456789-aeflnrstu \u{0}".utf8).randomElement(using: &rng)!
            case 2 where !b.isEmpty: b.removeSubrange(at..<min(b.count, at + Int.random(in: 1...12, using: &rng)))
            case 3 where !b.isEmpty: b.insert(contentsOf: b[at..<min(b.count, at + Int.random(in: 1...16, using: &rng))], at: at)
            case 4: b.insert(contentsOf: Array(tokens.randomElement(using: &rng)!.utf8), at: at)
            case 5: b = Array(b.prefix(at))
            default: b.insert([0xC3, 0x28, 0xFF, 0xED, 0xA0, 0x80, 0xF0, 0x9F].randomElement(using: &rng)!, at: at)
            }
        }
        return b
    }

    /// One to three changes of fields: removed, replaced by another value, added, renamed; the type changed.
    static func mutateFields(_ line: JSON, _ rng: inout SplitMix64) -> JSON {
        guard var top = line.object else { return line }
        var data = top["data"]?.object ?? JSONObject()
        for _ in 0..<Int.random(in: 1...3, using: &rng) {
            let inData = Int.random(in: 0..<4, using: &rng) != 0
            var o = inData ? data : top
            let keys = o.members.map(\.key)
            let key = keys.randomElement(using: &rng) ?? "x"
            switch Int.random(in: 0..<5, using: &rng) {
            case 0: o[key] = nil
            case 1: o[key] = values.randomElement(using: &rng)!
            case 2: o[["note", "bemerkung", "stream", "hash", "seq", "minutes", "kontrakt", "jugendamt"].randomElement(using: &rng)!] = values.randomElement(using: &rng)!
            case 3: if let v = o[key] { o[key] = nil; o[key.uppercased()] = v }
            default: top["type"] = .string((EventType.allCases.map(\.rawValue) + ["", "hoursbooked", "Unknown"]).randomElement(using: &rng)!)
            }
            if inData { data = o } else { top = o; data = top["data"]?.object ?? data }
        }
        if top["data"] != nil, case .object = top["data"]! { top["data"] = .object(data) }
        return .object(top)
    }

    @Test("JSON, import lines and domain events under thousands of seeded mutations: no crash, clear refusals, nothing invalid appended")
    func mutatedLines() throws {
        let dir = try TempDir()
        defer { dir.remove() }
        let ledger = try Ledger.create(at: dir.sub("ledger"), side: .jugendamt, org: "trier-saarburg", jugendamt: nil,
                                       policy: DomainPolicy(views: Projector()), options: testOptions)
        _ = try ledger.append(Self.world)
        let seeds = try Self.seedLines()
        try #require(seeds.count >= 40, "the schema examples give the seeds")
        var system = SystemRandomNumberGenerator()
        let seed = UInt64.random(in: 0...UInt64.max, using: &system)
        var rng = SplitMix64(seed: seed)
        var counts = (parsed: 0, events: 0, domain: 0, appended: 0, refused: 0)
        var problems: [String] = []

        func check(_ bytes: [UInt8], _ what: String) {
            let json: JSON
            do {
                json = try JSONParser.parse(bytes)
            } catch {
                if error.description.isEmpty { problems.append("\(what): empty parser error") }
                return
            }
            counts.parsed += 1
            // What parses re-encodes canonically to itself.
            let canonical = CanonicalWriter.encode(json)
            if (try? JSONParser.parse(canonical)) != json || CanonicalWriter.encode((try? JSONParser.parse(canonical)) ?? .null) != canonical {
                problems.append("\(what): canonical form does not round-trip: \(String(decoding: canonical.prefix(200), as: UTF8.self))")
            }
            let event: NewEvent
            do {
                event = try NewEvent(json: json)
            } catch {
                if error.message.isEmpty || error.message.contains("\n") { problems.append("\(what): refusal of the line is not one sentence: \(error.message)") }
                return
            }
            counts.events += 1
            do {
                _ = try DomainEvent(type: event.type, data: event.data)
                counts.domain += 1
            } catch {
                if error.message.isEmpty || error.message.contains("\n") { problems.append("\(what): refusal of the event is not one sentence: \(error.message)") }
            }
            var unique = event
            unique.key = "f-\(counts.events)"
            do {
                let outcome = try ledger.append(unique)
                counts.appended += 1
                // Whatever was appended is a valid domain event, read back from the store.
                if (try? DomainEvent(type: outcome.record.type, data: outcome.record.data)) == nil {
                    problems.append("\(what): appended an invalid \(outcome.record.type)")
                }
            } catch let error as LedgerError {
                counts.refused += 1
                if !error.isBadInput || error.description.isEmpty || error.description.contains("\n") { problems.append("\(what): refused as a machine failure: \(error)") }
            } catch {
                problems.append("\(what): unexpected error \(type(of: error)): \(error)")
            }
        }

        for i in 0..<12_000 {
            let line = seeds[i % seeds.count]
            check(Self.mutateBytes(line, &rng), "byte mutation \(i)")
        }
        for i in 0..<8000 {
            let line = try JSONParser.parse(seeds[Int.random(in: 0..<seeds.count, using: &rng)])
            check(CanonicalWriter.encode(Self.mutateFields(line, &rng)), "field mutation \(i)")
        }
        for i in 0..<4000 {
            let alphabet = Array("{}[]\",:0123456789-.eE+ntrufalse\\ \u{0}\u{7F}".utf8) + [0xC3, 0xA4, 0xFF]
            let bytes = (0..<Int.random(in: 0...64, using: &rng)).map { _ in alphabet.randomElement(using: &rng)! }
            check(bytes, "random bytes \(i)")
        }
        for depth in [31, 32, 33, 1000, 100_000] {
            check(Array(String(repeating: "[", count: depth).utf8) + Array(String(repeating: "]", count: depth).utf8), "nesting \(depth)")
        }

        print("fuzz: \(counts) (seed \(seed))")
        #expect(problems.isEmpty, "\(problems.count) problems (seed \(seed)): \(problems.prefix(5).joined(separator: "\n"))")
        #expect(counts.parsed > 2000 && counts.events > 1000 && counts.refused > 200 && counts.appended > 40,
                "the mutations reach every layer: \(counts)")
        #expect(try ledger.verify().isValid)
        #expect(try ledger.checkViews() == nil, "the views equal a rebuild")
    }
}
