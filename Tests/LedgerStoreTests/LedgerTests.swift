import Foundation
import LedgerGen
import Testing
import LMDB
@testable import LedgerCore
@testable import LedgerStore

@Suite("Ledger: appending, chains, idempotency, exports")
struct LedgerTests {
    @Test("many appends across streams: both chains hold, verify passes, the export verifies")
    func chainsAcrossStreams() throws {
        let dir = try TempDir()
        defer { dir.remove() }
        let ledger = try makeLedger(dir)
        var rng = SplitMix64(seed: 42)
        let traeger = ["caritas", "awo", "diakonie", "drk", nil]
        var n = 0
        var clock: Int64 = 0
        while n < 3000 {
            let size = min(Int.random(in: 1...200, using: &rng), 3000 - n)
            let events = (0..<size).map { i in
                event("k-\(n + i)", traeger: traeger[Int.random(in: 0...4, using: &rng)], minutes: Int64(n + i),
                      extra: [("note", .string("Nr. \(n + i) – Übergabe"))])
            }
            clock += Int64.random(in: 0...3, using: &rng)
            let outcomes = try ledger.append(events, now: at(clock))
            #expect(outcomes.count == size)
            n += size
        }
        let head = try ledger.head()
        #expect(head.seq == 3000)
        #expect(try ledger.appliedCount() == 3000)

        let result = try ledger.verify()
        #expect(result.isValid, "\(result.failure ?? "")")
        #expect(result.records == 3000)
        #expect(result.lastHash == head.hash)
        #expect(result.streams.values.reduce(0, +) == 3000)
        #expect(Set(result.streams.keys) == ["traeger:caritas", "traeger:awo", "traeger:diakonie", "traeger:drk", "intern"])

        // Walk the export by hand: every link as CONTRACT section 1 says.
        let lines = try ledger.exportLines()
        #expect(lines.count == 3000)
        var prev = Digest32.zero
        var streamHeads: [String: (UInt64, Digest32)] = [:]
        for (i, line) in lines.enumerated() {
            let r = try Array(line.utf8).withUnsafeBytes { try Record(line: $0) }
            #expect(r.seq == UInt64(i + 1))
            #expect(r.prev == prev)
            #expect(r.hash == r.computeHash())
            let (sseq, shash) = streamHeads[r.stream] ?? (0, .zero)
            #expect(r.streamSeq == sseq + 1)
            #expect(r.streamPrev == shash)
            #expect(r.ledger == "jugendamt:trier-saarburg")
            #expect(line == r.canonicalLine, "export lines are canonical JSON")
            streamHeads[r.stream] = (r.streamSeq, r.hash)
            prev = r.hash
        }
        let exported = verifyExport(try ledger.exportBytes(), chunk: 977)
        #expect(exported.isValid, "\(exported.failure ?? "")")
        #expect(exported.records == 3000)
        #expect(exported.lastHash == head.hash)

        // Reading back by seq and by key gives the exported record.
        let r17 = try #require(try ledger.record(seq: 17))
        #expect(r17.canonicalLine == lines[16])
        #expect(try ledger.record(key: r17.key) == r17)
        #expect(try ledger.record(seq: 3001) == nil)
        #expect(try ledger.record(key: "never-used") == nil)
    }

    @Test("reopening continues the chain")
    func reopen() throws {
        let dir = try TempDir()
        defer { dir.remove() }
        do {
            let ledger = try makeLedger(dir)
            _ = try ledger.append((0..<10).map { event("a-\($0)") })
        }
        let ledger = try Ledger.open(at: dir.sub("ledger"), policy: TestPolicy(), options: testOptions)
        #expect(ledger.name.description == "jugendamt:trier-saarburg")
        #expect(try ledger.head().seq == 10)
        _ = try ledger.append((0..<10).map { event("b-\($0)") })
        #expect(try ledger.verify().isValid)
        #expect(try ledger.verify().records == 20)
        #expect(try ledger.appliedCount() == 20)
    }

    @Test("the same key with the same content is a no-op that answers the stored record")
    func idempotentRepeat() throws {
        let dir = try TempDir()
        defer { dir.remove() }
        let ledger = try makeLedger(dir)
        let first = try ledger.append(event("b-1"))
        guard first.isNew else { Issue.record("not appended"); return }
        let stored = first.record
        let head = try ledger.head()
        // Later, with a different clock: still the stored record, nothing appended.
        let again = try ledger.append([event("b-1")], now: at(86_400))
        #expect(again == [.existing(stored)])
        #expect(try ledger.head() == head)
        // Inside one batch: a new event and a repeat of it.
        let batch = try ledger.append([event("b-2"), event("b-1"), event("b-2")])
        #expect(batch.count == 3)
        guard batch[0].isNew else { Issue.record("b-2 not appended"); return }
        let b2 = batch[0].record
        #expect(batch[1] == .existing(stored))
        #expect(batch[2] == .existing(b2))
        #expect(try ledger.head().seq == 2)
        #expect(try ledger.appliedCount() == 2)
        // Member order of data does not matter: it is the same JSON object.
        let reordered = NewEvent(type: "HoursBooked", key: "b-1", actor: "asd-07",
                                 data: JSONObject([("traeger", "caritas"), ("minutes", 60)]))
        #expect(try ledger.append(reordered) == .existing(stored))
        #expect(try ledger.verify().isValid)
    }

    @Test("the same key with other content is refused and nothing of the batch is appended", arguments: [
        event("b-1", minutes: 61), event("b-1", type: "HoursCorrected"), event("b-1", actor: "asd-08"),
        event("b-1", actor: nil), event("b-1", traeger: "awo"), event("b-1", extra: [("note", "x")]),
        event("b-1", extra: [("minutes2", 60)]),
    ])
    func keyConflict(conflicting: NewEvent) throws {
        let dir = try TempDir()
        defer { dir.remove() }
        let ledger = try makeLedger(dir)
        _ = try ledger.append(event("b-1"))
        let head = try ledger.head()
        let before = try ledger.exportBytes()
        #expect(throws: LedgerError.keyConflict(key: "b-1", seq: 1)) { try ledger.append(conflicting) }
        #expect(throws: LedgerError.keyConflict(key: "b-1", seq: 1)) {
            try ledger.append([event("new-1"), event("new-2", traeger: "awo"), conflicting, event("new-3")])
        }
        #expect(try ledger.head() == head)
        #expect(try ledger.exportBytes() == before)
        #expect(try ledger.record(key: "new-1") == nil)
        #expect(try ledger.appliedCount() == 1)
        // The keys refused with the batch are free to use afterwards.
        _ = try ledger.append([event("new-1"), event("new-2")])
        #expect(try ledger.verify().records == 3)
    }

    @Test("a batch with one refused event appends nothing: no records, no keys, no stream heads, no state")
    func refusedBatch() throws {
        let dir = try TempDir()
        defer { dir.remove() }
        let ledger = try makeLedger(dir)
        _ = try ledger.append([event("ok-0"), event("ok-1", traeger: "awo")])
        let head = try ledger.head()
        let before = try ledger.exportBytes()
        let batch = [event("ok-2"), event("ok-3", traeger: "awo"), event("bad", type: "Bad"), event("ok-4", traeger: "drk")]
        do {
            _ = try ledger.append(batch)
            Issue.record("a batch with a refused event was appended")
        } catch let error as LedgerError {
            guard case .invalid(let index, let v) = error else { Issue.record("wrong error \(error)"); return }
            #expect(index == 2)
            #expect(v.field == "type")
            #expect(error.isBadInput)
        }
        #expect(try ledger.head() == head)
        #expect(try ledger.exportBytes() == before)
        for key in ["ok-2", "ok-3", "bad", "ok-4"] { #expect(try ledger.record(key: key) == nil) }
        #expect(try ledger.appliedCount() == 2)
        // Stream heads were not moved: the next record of traeger:awo links to ok-1.
        _ = try ledger.append(event("ok-5", traeger: "awo"))
        let r = try #require(try ledger.record(key: "ok-5"))
        #expect(r.streamSeq == 2)
        #expect(r.streamPrev == (try ledger.record(key: "ok-1"))?.hash)
        #expect(try ledger.exportLines(stream: "traeger:drk").isEmpty)
        #expect(try ledger.verify().isValid)
    }

    @Test("keys and actors must be ids; the refusal names the event's index", arguments: [
        ("Key-1", "asd-07"), ("", "asd-07"), ("-k", "asd-07"), ("k 1", "asd-07"), (String(repeating: "k", count: 65), "asd-07"),
        ("k-1", "ASD"), ("k-1", "max.mustermann@example.org"), ("k-1", ""),
    ])
    func idRules(key: String, actor: String) throws {
        let dir = try TempDir()
        defer { dir.remove() }
        let ledger = try makeLedger(dir)
        do {
            _ = try ledger.append([event("fine"), event(key, actor: actor)])
            Issue.record("accepted key \(key) actor \(actor)")
        } catch LedgerError.invalid(let index, _) {
            #expect(index == 1)
        }
        #expect(try ledger.head().seq == 0)
    }

    @Test("recordedAt never goes backwards, even when the clock does")
    func monotonicTime() throws {
        let dir = try TempDir()
        defer { dir.remove() }
        let ledger = try makeLedger(dir)
        _ = try ledger.append([event("t-1")], now: at(100))
        let outcomes = try ledger.append([event("t-2")], now: at(50))
        #expect(outcomes[0].record.recordedAt == at(100))
        _ = try ledger.append([event("t-3")], now: at(200))
        #expect(try ledger.record(key: "t-3")?.recordedAt == at(200))
        #expect(try ledger.verify().isValid)
    }

    @Test("preserved recordedAt must not go backwards or into the future")
    func preservedRecordedAt() throws {
        let dir = try TempDir()
        defer { dir.remove() }
        let ledger = try makeLedger(dir)
        var e1 = event("old-1"); e1.recordedAt = at(-86_400)
        var e2 = event("old-2"); e2.recordedAt = at(-3600)
        let out = try ledger.append([e1, e2], preserveRecordedAt: true, now: at(0))
        #expect(out.map(\.record.recordedAt) == [at(-86_400), at(-3600)])
        var back = event("old-3"); back.recordedAt = at(-7200)
        #expect(throws: LedgerError.self) { try ledger.append([back], preserveRecordedAt: true, now: at(0)) }
        var future = event("old-4"); future.recordedAt = at(1)
        #expect(throws: LedgerError.self) { try ledger.append([future], preserveRecordedAt: true, now: at(0)) }
        // Without the flag the given time is ignored.
        let plain = try ledger.append([back], now: at(10))
        #expect(plain[0].record.recordedAt == at(10))
        #expect(try ledger.head().seq == 3)
    }

    @Test("as-of exports hold exactly the records recorded at or before the time")
    func asOf() throws {
        let dir = try TempDir()
        defer { dir.remove() }
        let ledger = try makeLedger(dir)
        // Ten records at each of the times 0, 10, 20, … 990.
        for t in stride(from: 0 as Int64, to: 1000, by: 10) {
            _ = try ledger.append((0..<10).map { event("k-\(t)-\($0)", traeger: $0 % 2 == 0 ? "caritas" : "awo") }, now: at(t))
        }
        #expect(try ledger.head().seq == 1000)
        for t: Int64 in [-1, 0, 5, 9, 10, 11, 500, 989, 990, 991, 5000] {
            let expected = t < 0 ? 0 : min(UInt64(t / 10 + 1) * 10, 1000)
            let seq = try ledger.env.read { txn in try ledger.lastSeq(asOf: at(t), txn: txn) }
            #expect(seq == expected, "as of +\(t)s")
            let lines = try ledger.exportLines(asOf: at(t))
            #expect(UInt64(lines.count) == expected)
            let records = try lines.map { try Array($0.utf8).withUnsafeBytes { try Record(line: $0) } }
            #expect(records.allSatisfy { $0.recordedAt <= at(t) })
            #expect(verifyExport(lines: lines).isValid)
            let stream = try ledger.exportLines(stream: "traeger:caritas", asOf: at(t))
            #expect(UInt64(stream.count) == expected / 2)
        }
        // from-seq and as-of together.
        #expect(try ledger.exportLines(fromSeq: 995, asOf: at(990)).count == 6)
        #expect(try ledger.exportLines(fromSeq: 1001).isEmpty)
    }

    @Test("a stream's export verifies on its own; the stream chain catches a missing record")
    func streamExport() throws {
        let dir = try TempDir()
        defer { dir.remove() }
        let ledger = try makeLedger(dir)
        var rng = SplitMix64(seed: 5)
        let names = ["caritas", "awo", "drk"]
        _ = try ledger.append((0..<600).map { event("k-\($0)", traeger: names[Int.random(in: 0...2, using: &rng)]) })
        var total = 0
        for name in names {
            let lines = try ledger.exportLines(stream: "traeger:\(name)")
            total += lines.count
            let result = verifyExport(lines: lines)
            #expect(result.isValid, "\(result.failure ?? "")")
            #expect(result.records == lines.count)
            #expect(result.streams == ["traeger:\(name)": UInt64(lines.count)])
            // Drop any one record in the middle: the stream chain breaks.
            for drop in [1, lines.count / 2, lines.count - 2] {
                var cut = lines
                cut.remove(at: drop)
                let broken = verifyExport(lines: cut)
                #expect(!broken.isValid, "dropping line \(drop) of \(name)")
            }
            // Dropping the last is a shorter, valid stream: only a signed head catches that.
            #expect(verifyExport(lines: Array(lines.dropLast())).isValid)
        }
        #expect(total == 600)
        #expect(try ledger.exportLines(stream: "traeger:nobody").isEmpty)
        // A stream export from a later seq also verifies.
        let later = try ledger.exportLines(stream: "traeger:awo", fromSeq: 300)
        #expect(verifyExport(lines: later).isValid)
    }

    @Test("a full export with any one record removed from the middle fails verification")
    func fullExportMissingRecord() throws {
        let dir = try TempDir()
        defer { dir.remove() }
        let ledger = try makeLedger(dir)
        // Two streams in blocks, so that a removed record can leave its neighbours in one stream.
        let streams = ["caritas", "caritas", "awo", "caritas", "caritas", "awo", "awo", "caritas", "awo", "caritas"]
        _ = try ledger.append(streams.enumerated().map { event("k-\($0.offset)", traeger: $0.element) })
        let lines = try ledger.exportLines()
        #expect(verifyExport(lines: lines).isValid)
        for drop in 1..<(lines.count - 1) {
            var cut = lines
            cut.remove(at: drop)
            let result = verifyExport(lines: cut)
            #expect(!result.isValid, "removing seq \(drop + 1) went unnoticed")
        }
    }

    @Test("tampered export lines fail with the seq of the first bad record")
    func tamperedExportLines() throws {
        let dir = try TempDir()
        defer { dir.remove() }
        let ledger = try makeLedger(dir)
        _ = try ledger.append((0..<20).map { event("k-\($0)", traeger: $0 % 3 == 0 ? "awo" : "caritas", minutes: Int64($0)) })
        let lines = try ledger.exportLines()
        func check(_ change: (inout [String]) -> Void, failsAt seq: UInt64, _ why: String) {
            var copy = lines
            change(&copy)
            let result = verifyExport(lines: copy)
            #expect(!result.isValid, "\(why)")
            #expect(result.failedSeq == seq, "\(why): \(result.failure ?? "")")
        }
        check({ $0[7] = $0[7].replacing(#""minutes":7"#, with: #""minutes":8"#) }, failsAt: 8, "changed data")
        check({ $0.swapAt(4, 5) }, failsAt: 6, "swapped records")
        check({ $0.insert($0[9], at: 10) }, failsAt: 10, "repeated record")
        check({ $0[3] = String($0[3].dropLast(3)) }, failsAt: 4, "truncated line (reported by line number)")
        check({ $0[12] = $0[12].replacing(#""ledger":"jugendamt:trier-saarburg""#, with: #""ledger":"jugendamt:trier""#) },
              failsAt: 13, "moved to another ledger")
        // A record re-hashed after a change still breaks the next record's prev.
        check({ lines in
            var r = try! Array(lines[5].utf8).withUnsafeBytes { try Record(line: $0) }
            r.data["minutes"] = 500
            r.hash = r.computeHash()
            lines[5] = r.canonicalLine
        }, failsAt: 7, "re-hashed record")
    }

    @Test("creating and opening: clear refusals")
    func createAndOpen() throws {
        let dir = try TempDir()
        defer { dir.remove() }
        #expect(throws: LedgerError.self) { try makeLedger(dir, org: "Trier Saarburg") }
        _ = try makeLedger(dir, name: "one")
        #expect(throws: LedgerError.alreadyExists(dir.sub("one"))) { try makeLedger(dir, name: "one") }
        try FileManager.default.createDirectory(atPath: dir.sub("empty"), withIntermediateDirectories: true)
        #expect(throws: LedgerError.notALedger(dir.sub("empty"))) {
            try Ledger.open(at: dir.sub("empty"), policy: TestPolicy())
        }
        // An LMDB environment that is not a ledger.
        do {
            let env = try Environment(path: dir.sub("empty"), options: testOptions)
            let db = try env.openDatabase("meta")
            try env.write { txn in try txn.put(db, Array("format".utf8), Array("other/9".utf8)) }
        }
        #expect(throws: LedgerError.notALedger(dir.sub("empty"))) {
            try Ledger.open(at: dir.sub("empty"), policy: TestPolicy())
        }
        // A data file that is not LMDB at all: an error, not a crash.
        try FileManager.default.createDirectory(atPath: dir.sub("junk"), withIntermediateDirectories: true)
        try Data(repeating: 7, count: 8192).write(to: URL(fileURLWithPath: dir.sub("junk/data.mdb")))
        #expect(throws: LedgerError.self) { try Ledger.open(at: dir.sub("junk"), policy: TestPolicy()) }
        // A Träger's ledger routes to its Jugendamt.
        let t = try Ledger.create(at: dir.sub("traeger"), side: .traeger, org: "caritas", jugendamt: "trier-saarburg",
                                  policy: PermissivePolicy(), options: testOptions)
        let r = try t.append(NewEvent(type: "HoursBooked", key: "h-1", data: JSONObject([("minutes", 30)]))).record
        #expect(r.ledger == "traeger:caritas")
        #expect(r.stream == "jugendamt:trier-saarburg")
        #expect(r.actor == nil)
        #expect(!r.canonicalLine.contains("actor"))
        #expect(try t.verify().isValid)
    }
}
