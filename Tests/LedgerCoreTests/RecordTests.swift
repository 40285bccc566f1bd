import Testing
@testable import LedgerCore

@Suite("Record and its hash")
struct RecordTests {
    /// A record whose canonical text and hash were computed independently (Python's hashlib and
    /// json.dumps(sort_keys=True, separators=(',', ':'), ensure_ascii=False)).
    static let sample = Record(
        seq: 17, recordedAt: Timestamp(rfc3339: "2025-04-02T09:15:00Z")!, ledger: "jugendamt:trier-saarburg",
        stream: "traeger:caritas", streamSeq: 5, type: "HoursBooked", key: "b-2025-00017", actor: "asd-07",
        data: JSONObject([("traeger", "caritas"), ("minutes", 90), ("note", "Übergabe \"A\"/B\n\u{1}"), ("amountCents", -12345)]),
        prev: Digest32(hex: "84fd9bac333ad79154348296204fa7f8c537a96e08983e5f73b3f5aca8e8edf7")!,
        streamPrev: Digest32(hex: "5b460d85fa7a3be9860e60b73ed59c2a6c40259811bea8a7e1e61e5e77aa7ad8")!)

    static let sampleTextWithoutHash = #"{"actor":"asd-07","data":{"amountCents":-12345,"minutes":90,"note":"Übergabe \"A\"/B\n\u0001","traeger":"caritas"},"key":"b-2025-00017","ledger":"jugendamt:trier-saarburg","prev":"84fd9bac333ad79154348296204fa7f8c537a96e08983e5f73b3f5aca8e8edf7","recordedAt":"2025-04-02T09:15:00Z","seq":17,"stream":"traeger:caritas","streamPrev":"5b460d85fa7a3be9860e60b73ed59c2a6c40259811bea8a7e1e61e5e77aa7ad8","streamSeq":5,"type":"HoursBooked"}"#
    static let sampleHash = "15da0bf2b96090d0a462568860a40a890c06011a75d4df227978716b38896cc5"

    @Test("SHA-256 is SHA-256 (FIPS 180-2 test vectors)")
    func sha256Vectors() {
        #expect(Digest32.sha256(Array("abc".utf8)).hex == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        #expect(Digest32.sha256([]).hex == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
    }

    @Test("the canonical text without hash and the hash match an independent computation")
    func goldenVector() {
        var w = CanonicalWriter()
        let offset = Self.sample.writeCanonical(into: &w, includeHash: false)
        #expect(w.bytes == Array(Self.sampleTextWithoutHash.utf8))
        #expect(Self.sample.computeHash().hex == Self.sampleHash)
        // The offset is where ,"hash":"…" belongs: right after the data object.
        #expect(Array(w.bytes[offset...].prefix(7)) == Array(#","key":"#.utf8))
    }

    @Test("computeHash is SHA-256 of the canonical line with the hash member removed")
    func hashRule() throws {
        var record = Self.sample
        record.hash = record.computeHash()
        for variant in [record, Self.withoutActor(record), Self.withEmptyData(record)] {
            var r = variant
            r.hash = r.computeHash()
            let line = r.canonicalLine
            guard case .object(var o) = try JSONParser.parse(line) else { Issue.record("not an object"); return }
            #expect(o["hash"] == .string(r.hash.hex))
            o["hash"] = nil
            let withoutHash = CanonicalWriter.encode(.object(o))
            #expect(Digest32.sha256(withoutHash) == r.hash)
            // The hand-ordered record writer agrees with the generic JCS writer, with and without hash.
            #expect(Array(line.utf8) == CanonicalWriter.encode(try JSONParser.parse(line)))
        }
    }

    static func withoutActor(_ r: Record) -> Record { var r = r; r.actor = nil; return r }
    static func withEmptyData(_ r: Record) -> Record { var r = r; r.data = JSONObject(); return r }

    @Test("the hash covers every field")
    func hashCoversEveryField() {
        let base = Self.sample.computeHash()
        var changes: [(String, (inout Record) -> Void)] = []
        changes.append(("seq", { $0.seq += 1 }))
        changes.append(("recordedAt", { $0.recordedAt.seconds += 1 }))
        changes.append(("ledger", { $0.ledger = "jugendamt:trier" }))
        changes.append(("stream", { $0.stream = "traeger:awo" }))
        changes.append(("streamSeq", { $0.streamSeq += 1 }))
        changes.append(("type", { $0.type = "HoursBooked2" }))
        changes.append(("key", { $0.key = "b-2025-00018" }))
        changes.append(("actor", { $0.actor = "asd-08" }))
        changes.append(("no actor", { $0.actor = nil }))
        changes.append(("data", { $0.data["minutes"] = 91 }))
        changes.append(("prev", { $0.prev = .zero }))
        changes.append(("streamPrev", { $0.streamPrev = .zero }))
        for (name, change) in changes {
            var r = Self.sample
            change(&r)
            #expect(r.computeHash() != base, "changing \(name) must change the hash")
        }
    }

    @Test("an export line parses back to the same record")
    func lineRoundTrip() throws {
        var record = Self.sample
        record.hash = record.computeHash()
        let line = Array(record.canonicalLine.utf8)
        let back = try line.withUnsafeBytes { try Record(line: $0) }
        #expect(back == record)
        #expect(back.computeHash() == record.hash)
    }

    @Test("malformed export lines are refused with a sentence", arguments: [
        (#""seq":17"#, #""seq":0"#), (#""seq":17"#, #""seq":"17""#), (#""recordedAt":"2025-04-02T09:15:00Z""#, #""recordedAt":"2025-04-02T11:15:00+02:00""#),
        (#""ledger":"jugendamt:trier-saarburg""#, #""ledger":"amt:trier""#), (#""stream":"traeger:caritas""#, #""stream":"caritas""#),
        (#""prev":"84fd"#, #""prev":"84FD"#), (#""type":"HoursBooked""#, #""type":"HoursBooked","extra":1"#),
        (#""data":{"#, #""data":[{"#),
    ])
    func malformedLines(change: (String, String)) throws {
        var record = Self.sample
        record.hash = record.computeHash()
        var line = record.canonicalLine
        #expect(line.contains(change.0))
        line = line.replacing(change.0, with: change.1, maxReplacements: 1)
        let bytes = Array(line.utf8)
        #expect(throws: RecordFormatError.self) { try bytes.withUnsafeBytes { try Record(line: $0) } }
    }

    @Test("Digest32 hex round-trips and refuses upper case and wrong lengths")
    func digestHex() {
        let d = Digest32.sha256(Array("x".utf8))
        #expect(Digest32(hex: d.hex) == d)
        #expect(Digest32(hex: d.hex.uppercased()) == nil)
        #expect(Digest32(hex: String(d.hex.dropLast())) == nil)
        #expect(Digest32(hex: d.hex + "0") == nil)
        #expect(Digest32.zero.hex == String(repeating: "0", count: 64))
    }

    @Test("same content ignores place in the log but not the client's fields")
    func sameContent() {
        var other = Self.sample
        other.seq = 99
        other.recordedAt.seconds += 3600
        other.prev = .zero
        #expect(other.sameContent(as: Self.sample))
        other.data["minutes"] = 91
        #expect(!other.sameContent(as: Self.sample))
        var nfd = Self.sample
        nfd.data["note"] = "U\u{308}bergabe \"A\"/B\n\u{1}" // same text to a human, other bytes
        #expect(!nfd.sameContent(as: Self.sample))
        #expect(nfd.computeHash() != Self.sample.computeHash())
    }
}
