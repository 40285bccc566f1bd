import Foundation
import LedgerGen
import Testing
import LMDB
@testable import LedgerCore
@testable import LedgerStore

@Suite("Tampering with the stored log")
struct TamperTests {
    /// Where `needle` occurs in `haystack`.
    static func occurrences(of needle: [UInt8], in haystack: [UInt8]) -> [Int] {
        guard let first = needle.first, needle.count <= haystack.count else { return [] }
        var found: [Int] = []
        var i = 0
        while i <= haystack.count - needle.count {
            if haystack[i] == first, haystack[i..<(i + needle.count)].elementsEqual(needle) { found.append(i) }
            i += 1
        }
        return found
    }

    /// The stored value (header and canonical JSON) of record `seq`.
    static func storedValue(_ ledger: Ledger, _ seq: UInt64) throws -> [UInt8] {
        try ledger.env.read { txn in Array(try #require(try txn.get(ledger.log, BigEndianKey(seq)))) }
    }

    @Test("flipping any byte of a stored record inside data.mdb makes verify fail, never crash, never pass")
    func byteFlips() throws {
        let dir = try TempDir()
        defer { dir.remove() }
        let ledger = try makeLedger(dir)
        var events: [NewEvent] = []
        for i in 0..<40 {
            events.append(event("k-\(i)", traeger: ["caritas", "awo", nil][i % 3], minutes: Int64(i * 15),
                                actor: i % 4 == 0 ? nil : "asd-0\(i % 10)",
                                extra: [("note", .string("Übergabe Nr. \(i) – \"Hilfeplan\"\n😀")), ("list", [1, -2, "x", nil, true])]))
        }
        for chunk in stride(from: 0, to: 40, by: 8) { _ = try ledger.append(Array(events[chunk..<(chunk + 8)]), now: at(Int64(chunk))) }
        #expect(try ledger.verify().isValid)

        // A compacted copy holds each live record exactly once (no stale copy-on-write pages).
        let pristine = dir.sub("pristine")
        try FileManager.default.createDirectory(atPath: pristine, withIntermediateDirectories: true)
        try ledger.env.copy(to: pristine, compact: true)
        let file = try [UInt8](Data(contentsOf: URL(fileURLWithPath: pristine + "/data.mdb")))
        let work = dir.sub("work")
        try FileManager.default.createDirectory(atPath: work, withIntermediateDirectories: true)
        try Data(file).write(to: URL(fileURLWithPath: work + "/data.mdb"))
        let fd = open(work + "/data.mdb", O_RDWR)
        try #require(fd >= 0)
        defer { close(fd) }
        /// Writes one byte of the work copy in place.
        func poke(_ position: Int, _ byte: UInt8) {
            var b = byte
            #expect(pwrite(fd, &b, 1, off_t(position)) == 1)
        }
        var auditor = testOptions
        auditor.readOnly = true

        var rng = SplitMix64(seed: 11)
        var checked = 0, threw = 0
        var passed: [String] = []
        for seq: UInt64 in [1, 21, 40] {
            let value = try Self.storedValue(ledger, seq)
            let places = Self.occurrences(of: value, in: file)
            try #require(places.count == 1, "record \(seq) should occur once in the compacted file")
            for offset in 0..<value.count {
                // Every byte with a random mask; the 44-byte header also with its lowest and highest bit.
                var masks = [UInt8.random(in: 1...255, using: &rng)]
                if offset < StoredRecord.headerSize { masks += [0x01, 0x80] }
                for mask in masks {
                    let position = places[0] + offset
                    poke(position, file[position] ^ mask)
                    defer { poke(position, file[position]) }
                    checked += 1
                    do {
                        let opened = try Ledger.open(at: work, policy: TestPolicy(), options: auditor)
                        let result = try opened.verify()
                        if result.isValid { passed.append("record \(seq) byte \(offset) ^ \(mask)") }
                    } catch {
                        threw += 1
                    }
                }
            }
        }
        #expect(passed.isEmpty, "verify passed after: \(passed.prefix(20).joined(separator: "; "))")
        #expect(threw == 0, "verify should report damage, not throw")
        #expect(checked > 800)
    }

    @Test("a changed stored header is caught even when the JSON is intact")
    func headerFields() throws {
        let dir = try TempDir()
        defer { dir.remove() }
        let ledger = try makeLedger(dir)
        _ = try ledger.append((0..<5).map { event("k-\($0)") }, now: at(0))
        func rewrite(_ seq: UInt64, _ change: (inout [UInt8]) -> Void) throws {
            var value = try TamperTests.storedValue(ledger, seq)
            change(&value)
            try ledger.env.write { txn in try txn.put(ledger.log, BigEndianKey(seq), value) }
        }
        func expectFailure(at seq: UInt64, _ why: String) throws {
            let result = try ledger.verify()
            #expect(!result.isValid, "\(why)")
            #expect(result.failedSeq == seq, "\(why): \(result.failure ?? "")")
        }
        let original = try TamperTests.storedValue(ledger, 3)
        // The splice offset for the hash, moved to another place in the JSON.
        for delta in [-1, 1, 7, -5] {
            try rewrite(3) { v in
                let o = Int(v.withUnsafeBytes { UInt32(littleEndian: $0.loadUnaligned(fromByteOffset: 40, as: UInt32.self)) })
                withUnsafeBytes(of: UInt32(o + delta).littleEndian) { v.replaceSubrange(40..<44, with: $0) }
            }
            try expectFailure(at: 3, "hash offset moved by \(delta)")
            try rewrite(3) { $0 = original }
        }
        // recordedAt in the header.
        try rewrite(3) { $0[32] ^= 1 }
        try expectFailure(at: 3, "header recordedAt")
        try rewrite(3) { $0 = original }
        #expect(try ledger.verify().isValid)
    }

    @Test("missing, replaced and re-hashed records and a moved head are caught")
    func logSurgery() throws {
        let dir = try TempDir()
        defer { dir.remove() }
        let ledger = try makeLedger(dir)
        _ = try ledger.append((0..<10).map { event("k-\($0)", traeger: $0 % 2 == 0 ? "caritas" : "awo") })
        let original = try (1...10 as ClosedRange<UInt64>).map { try TamperTests.storedValue(ledger, $0) }
        func restore() throws {
            try ledger.env.write { txn in
                for (i, v) in original.enumerated() { try txn.put(ledger.log, BigEndianKey(UInt64(i + 1)), v) }
            }
            #expect(try ledger.verify().isValid)
        }

        // A record deleted from the middle.
        _ = try ledger.env.write { txn in try txn.delete(ledger.log, BigEndianKey(4)) }
        var result = try ledger.verify()
        #expect(!result.isValid)
        #expect(result.failedSeq == 4)
        try restore()

        // The last record deleted: the stored head no longer matches.
        _ = try ledger.env.write { txn in try txn.delete(ledger.log, BigEndianKey(10)) }
        result = try ledger.verify()
        #expect(!result.isValid)
        #expect(result.failure?.contains("head") == true)
        try restore()

        // A record rewritten with a correct hash over changed content: its successor's prev breaks.
        var r5 = try #require(try ledger.record(seq: 5))
        r5.data["minutes"] = 600
        var w = CanonicalWriter()
        StoredRecord.encode(&r5, into: &w)
        try ledger.env.write { txn in try txn.put(ledger.log, BigEndianKey(5), w.bytes) }
        result = try ledger.verify()
        #expect(!result.isValid)
        #expect(result.failedSeq == 6)
        try restore()

        // Two records swapped.
        try ledger.env.write { txn in
            try txn.put(ledger.log, BigEndianKey(2), original[2])
            try txn.put(ledger.log, BigEndianKey(3), original[1])
        }
        result = try ledger.verify()
        #expect(!result.isValid)
        #expect(result.failedSeq == 2)
        try restore()

        // The head moved back.
        let head = try ledger.head()
        try ledger.env.write { txn in
            try txn.put(ledger.meta, "head".lmdbKey,
                        Ledger.encodeHead(.init(seq: 9, hash: head.hash, recordedAt: head.recordedAt)))
        }
        result = try ledger.verify()
        #expect(!result.isValid)
        try ledger.env.write { txn in try txn.put(ledger.meta, "head".lmdbKey, Ledger.encodeHead(head)) }
        #expect(try ledger.verify().isValid)
    }
}

@Suite("Damaged indexes beside the log")
struct IndexDamageTests {
    /// A ledger of 12 records in three streams, verified clean.
    func ledger(_ dir: TempDir) throws -> Ledger {
        let ledger = try makeLedger(dir)
        _ = try ledger.append((0..<12).map { i in event("k-\(i)", traeger: ["caritas", "awo", nil][i % 3], minutes: 15) }, now: at(1))
        #expect(try ledger.verify().isValid)
        return ledger
    }

    @Test("a key that points at another record, or a stream position swapped for a made-up one, fails verify")
    func indexEntriesMustPointAtTheirRecords() throws {
        let dir = try TempDir()
        defer { dir.remove() }
        let l = try ledger(dir)
        // Same count of entries, but k-3 now points at record 5.
        try l.env.write { txn in
            try txn.put(l.keys, Array("k-3".utf8), withUnsafeBytes(of: UInt64(5).littleEndian) { Array($0) })
        }
        let keyResult = try l.verify()
        #expect(keyResult.failure?.contains("idempotency index does not match the log") == true, "\(keyResult)")
        try l.env.write { txn in
            try txn.put(l.keys, Array("k-3".utf8), withUnsafeBytes(of: UInt64(4).littleEndian) { Array($0) })
        }
        #expect(try l.verify().isValid, "put back, it verifies again")

        // Same count of positions: one removed, one invented.
        try l.env.write { txn in
            let (k, v) = try #require(try txn.withCursor(l.streamLog) { c in try c.first().map { (Array($0.0), Array($0.1)) } })
            _ = try txn.delete(l.streamLog, k)
            var other = k
            other[other.count - 1] &+= 100
            try txn.put(l.streamLog, other, v)
        }
        let streamResult = try l.verify()
        #expect(streamResult.failure?.contains("stream index does not match the log") == true, "\(streamResult)")
    }
}
