import Foundation
import LMDB
import Testing
@testable import LedgerCore
@testable import LedgerStore

/// `Ledger.verify()` reads canonical records in place (``CanonicalRecordScan``) and falls back to
/// the full decode for anything else. Whatever is stored, it must reach exactly the verdict, the
/// first bad seq and the sentence of the full decode, which is the reference here.
@Suite("Verify: the in-place fast path agrees with the full decode")
struct VerifyFastPathTests {
    /// A ledger with several streams, records with and without actor, nested data, arrays,
    /// non-ASCII text, escapes and large numbers (some take the fast path, some the full one).
    func makeMixedLedger() throws -> (Ledger, String) {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("verify-fast-\(UUID().uuidString)").path
        var options = Environment.Options()
        options.noSync = true
        options.mapSizeBytes = 1 << 24
        let ledger = try Ledger.create(at: dir, side: .jugendamt, org: "trier-saarburg", jugendamt: nil,
                                       policy: PermissivePolicy(), options: options)
        var events: [NewEvent] = []
        for i in 0..<60 {
            var data: JSON = ["traeger": .string(["awo", "caritas", "diakonie"][i % 3]), "minutes": .int(Int64(15 * (i + 1))),
                              "date": "2025-04-02"]
            switch i % 6 {
            case 1: data = .object(data.object!.merging(["nested": ["a": [1, -2, 0, true, false, nil], "b": ["c": "d"]]]))
            case 2: data = .object(data.object!.merging(["note": "Grüße, \"zitiert\"\n"]))
            case 3: data = .object(data.object!.merging(["big": .int(Int64.max), "small": .int(Int64.min)]))
            case 4: data = .object(data.object!.merging(["empty": [:], "none": []]))
            default: break
            }
            events.append(NewEvent(type: "HoursBooked", key: "e-\(i)", actor: i % 4 == 0 ? nil : "u-\(i)", data: data.object!))
        }
        _ = try ledger.append(Array(events[0..<20]))
        for e in events[20...] { _ = try ledger.append(e) }
        return (ledger, dir)
    }

    /// The reference: every record through the full decode and ``ChainChecker/check(_:computedHash:)``.
    func referenceVerify(_ ledger: Ledger) throws -> VerificationResult {
        let log = try ledger.env.openDatabase("log")
        var checker = ChainChecker(expectedLedger: ledger.name.description)
        var expected: UInt64 = 1
        try ledger.env.read { txn in
            try txn.withCursor(log) { cursor in
                var entry = try cursor.first()
                while let (k, value) = entry {
                    let seq = BigEndianKey(k)!.value
                    if seq != expected { checker.fail(at: expected, "record \(expected) is missing (next stored is \(seq))"); return }
                    guard StoredRecord.isWellFormed(value) else { checker.fail(at: seq, "record \(seq): stored value is damaged"); return }
                    let computed = Digest32.sha256(StoredRecord.json(value))
                    let record: Record
                    do { record = try StoredRecord.decode(value) } catch {
                        checker.fail(at: seq, "record \(seq): stored JSON is unreadable (\(error)): the record was altered")
                        return
                    }
                    if record.seq != seq { checker.fail(at: seq, "record \(seq): its seq field says \(record.seq)"); return }
                    if StoredRecord.recordedAt(value) != record.recordedAt {
                        checker.fail(at: seq, "record \(seq): stored header disagrees with recordedAt"); return
                    }
                    var writer = CanonicalWriter()
                    let offset = record.writeCanonical(into: &writer, includeHash: false)
                    if StoredRecord.hashOffset(value) != offset {
                        checker.fail(at: seq, "record \(seq): stored header disagrees with the JSON (hash position)"); return
                    }
                    if !writer.bytes.elementsEqual(StoredRecord.json(value)) {
                        checker.fail(at: seq, "record \(seq): stored JSON is not in canonical form"); return
                    }
                    guard checker.check(record, computedHash: computed) else { return }
                    expected += 1
                    entry = try cursor.next()
                }
            }
        }
        var result = checker.result
        let head = try ledger.head()
        if result.isValid, result.lastSeq != head.seq || result.lastHash != head.hash {
            result.failedSeq = head.seq
            result.failure = "the stored head (seq \(head.seq)) does not match the last record (seq \(result.lastSeq))"
        }
        // (The index checks after the log are the same code on both paths.)
        if result.isValid, let problem = try ledger.verify(threads: 1).failure { result.failure = problem }
        return result
    }

    /// `verify()` as users run it, and with small batches hashed on this thread and on a second
    /// one (the failure may fall in any batch, first, middle or last).
    func verifyEveryWay(_ ledger: Ledger) throws -> [VerificationResult] {
        [try ledger.verify(), try ledger.verify(batchSize: 7, hashAhead: false), try ledger.verify(batchSize: 7, hashAhead: true),
         try ledger.verify(batchSize: 1, hashAhead: true)]
    }

    /// Rewrites the stored value of `seq` with `change` applied to its JSON; with `rehash`, the
    /// stored hash is made to match the new JSON (a forger who also fixes the hash).
    func tamper(_ ledger: Ledger, seq: UInt64, rehash: Bool = true, header: ((inout [UInt8]) -> Void)? = nil,
                _ change: (inout String) -> Void) throws {
        let log = try ledger.env.openDatabase("log")
        try ledger.env.write { txn in
            let old = Array(try txn.get(log, BigEndianKey(seq))!)
            var json = String(decoding: old[StoredRecord.headerSize...], as: UTF8.self)
            change(&json)
            var value = Array(old[..<StoredRecord.headerSize]) + Array(json.utf8)
            if rehash {
                let h = Digest32.sha256(Array(json.utf8)).bytes
                value.replaceSubrange(0..<32, with: h)
            }
            header?(&value)
            try txn.put(log, BigEndianKey(seq), value)
        }
    }

    @Test("an intact ledger verifies, with the same streams and head as the full decode")
    func intact() throws {
        let (ledger, dir) = try makeMixedLedger()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let reference = try referenceVerify(ledger)
        #expect(reference.isValid)
        #expect(reference.records == 60)
        #expect(reference.streams == ["traeger:awo": 20, "traeger:caritas": 20, "traeger:diakonie": 20])
        for fast in try verifyEveryWay(ledger) { #expect(fast == reference) }
    }

    @Test("plain canonical records do take the fast path (the tests above are not all fallbacks)")
    func fastPathTaken() throws {
        let (ledger, dir) = try makeMixedLedger()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        var checker = ChainChecker(expectedLedger: ledger.name.description)
        var fast = 0
        try ledger.scan { seq, value in
            let json = StoredRecord.json(value)
            let computed = Digest32.sha256(json)
            if let scan = CanonicalRecordScan.scan(json),
               checker.checkCanonical(scan, json: json, storedHash: StoredRecord.hash(value),
                                      headerRecordedAt: StoredRecord.recordedAt(value), computedHash: computed) {
                fast += 1
            } else {
                let record = try StoredRecord.decode(value)
                let passed = checker.check(record, computedHash: computed)
                #expect(passed)
            }
            return true
        }
        // Not the first record, nor each stream's first, nor those with escapes, non-ASCII text or 19-digit numbers.
        #expect(fast >= 30)
        #expect(checker.result == (try referenceVerify(ledger)))
    }

    static let tamperings: [(String, @Sendable (inout String) -> Void)] = [
        ("a data value changed", { $0 = $0.replacingOccurrences(of: "\"minutes\":", with: "\"minutes\":1") }),
        ("prev changed", { $0 = Self.flipHex($0, after: "\"prev\":\"") }),
        ("streamPrev changed", { $0 = Self.flipHex($0, after: "\"streamPrev\":\"") }),
        ("seq field changed", { $0 = $0.replacingOccurrences(of: "\"seq\":", with: "\"seq\":9") }),
        ("streamSeq changed", { $0 = $0.replacingOccurrences(of: "\"streamSeq\":", with: "\"streamSeq\":7") }),
        ("ledger renamed", { $0 = $0.replacingOccurrences(of: "jugendamt:trier-saarburg", with: "jugendamt:trier") }),
        ("stream renamed to a valid other stream", { $0 = $0.replacingOccurrences(of: "\"stream\":\"traeger:", with: "\"stream\":\"traeger:x") }),
        ("stream renamed to an invalid name", { $0 = $0.replacingOccurrences(of: "\"stream\":\"traeger:", with: "\"stream\":\"Traeger:") }),
        ("recordedAt in the JSON changed", { $0 = $0.replacingOccurrences(of: "\"recordedAt\":\"2", with: "\"recordedAt\":\"1") }),
        ("recordedAt not canonical", { $0 = $0.replacingOccurrences(of: "Z\",\"seq\"", with: "+00:00\",\"seq\"") }),
        ("whitespace added (valid JSON, not canonical)", { $0 = $0.replacingOccurrences(of: "\"key\":", with: "\"key\" :") }),
        ("minus zero", { $0 = $0.replacingOccurrences(of: "\"date\"", with: "\"a\":-0,\"date\"") }),
        ("a leading zero", { $0 = $0.replacingOccurrences(of: "\"minutes\":", with: "\"minutes\":0") }),
        ("a fraction", { $0 = $0.replacingOccurrences(of: "\"date\"", with: "\"a\":1.5,\"date\"") }),
        ("a duplicate key", { $0 = $0.replacingOccurrences(of: "\"date\"", with: "\"date\":1,\"date\"") }),
        ("keys out of order", { $0 = $0.replacingOccurrences(of: "{\"date\"", with: "{\"zz\":1,\"date\"") }),
        ("an unknown record field", { $0 = $0.replacingOccurrences(of: "\"key\":", with: "\"kex\":1,\"key\":") }),
        ("the hash inside the JSON", { $0 = $0.replacingOccurrences(of: ",\"key\":", with: ",\"hash\":\"\(String(repeating: "0", count: 64))\",\"key\":") }),
        ("trailing bytes", { $0 += " " }),
        ("truncated", { $0.removeLast(2) }),
    ]

    @Test("a tampered record fails at the same seq with the same sentence", arguments: 0..<tamperings.count)
    func tampered(_ index: Int) throws {
        for seq: UInt64 in [1, 31, 60] {
            for rehash in [true, false] {
                let (ledger, dir) = try makeMixedLedger()
                defer { try? FileManager.default.removeItem(atPath: dir) }
                try tamper(ledger, seq: seq, rehash: rehash, Self.tamperings[index].1)
                let reference = try referenceVerify(ledger)
                for fast in try verifyEveryWay(ledger) {
                    #expect(fast == reference, "\(Self.tamperings[index].0), seq \(seq), rehash \(rehash)")
                }
            }
        }
    }

    @Test("a changed header (recordedAt, hash) fails at the same seq with the same sentence")
    func tamperedHeader() throws {
        let changes: [(inout [UInt8]) -> Void] = [
            { $0[32] ^= 1 },                              // recordedAt one second off
            { $0[0] ^= 1 },                               // stored hash
            { $0.replaceSubrange(40..<44, with: [0, 0, 0, 0]) }, // hash offset zero: damaged
            { $0.replaceSubrange(32..<40, with: [0, 0, 0, 0, 0, 0, 0, 0x7F]) }, // a time no calendar holds
            { $0.replaceSubrange(32..<40, with: [0, 0, 0, 0, 0, 0, 0, 0x80]) },
            { $0[40] &+= 1 },                             // hash offset one byte off
            { $0[40] &-= 1 },
        ]
        for change in changes {
            for seq: UInt64 in [1, 30, 60] {
                let (ledger, dir) = try makeMixedLedger()
                defer { try? FileManager.default.removeItem(atPath: dir) }
                try tamper(ledger, seq: seq, rehash: false, header: change) { _ in }
                let reference = try referenceVerify(ledger)
                #expect(!reference.isValid)
                for fast in try verifyEveryWay(ledger) { #expect(fast == reference) }
            }
        }
    }

    @Test("records deleted from the log are reported as missing, as before")
    func deleted() throws {
        for seq: UInt64 in [1, 30, 60] {
            let (ledger, dir) = try makeMixedLedger()
            defer { try? FileManager.default.removeItem(atPath: dir) }
            let log = try ledger.env.openDatabase("log")
            try ledger.env.write { txn in try txn.delete(log, BigEndianKey(seq)) }
            let reference = try referenceVerify(ledger)
            #expect(!reference.isValid)
            for fast in try verifyEveryWay(ledger) { #expect(fast == reference) }
        }
    }

    static func flipHex(_ s: String, after marker: String) -> String {
        guard let r = s.range(of: marker) else { return s }
        var chars = Array(s)
        let i = s.distance(from: s.startIndex, to: r.upperBound)
        chars[i] = chars[i] == "a" ? "b" : "a"
        return String(chars)
    }
}

extension JSONObject {
    fileprivate func merging(_ other: JSON) -> JSONObject {
        var o = self
        for m in other.object! { o[m.key] = m.value }
        return o
    }
}
