import Foundation
import Testing
import LMDB
@testable import LedgerCore
@testable import LedgerStore

/// A ledger whose map may not grow past a small maximum fills up: the append fails with a clear
/// error and nothing of it is there; opened again with a larger maximum, it grows and goes on.
@Suite("Map size")
struct MapSizeTests {
    static func options(initial: Int, max: Int) -> Environment.Options {
        var o = testOptions
        o.mapSizeBytes = initial
        o.mapSizeBytesMax = max
        return o
    }

    @Test("a full map refuses the append clearly, keeps nothing of it, and grows after reopening with a larger maximum")
    func fullMapAndGrowth() throws {
        let dir = try TempDir()
        defer { dir.remove() }
        let path = dir.sub("ledger")
        let small = Self.options(initial: 64 << 10, max: 512 << 10)
        var ledger: Ledger? = try Ledger.create(at: path, side: .jugendamt, org: "trier-saarburg", jugendamt: nil,
                                                policy: TestPolicy(), options: small)
        var appended = 0
        var refusal: (any Error)?
        var exportBefore: [UInt8] = []
        // Batches of 50 until one does not fit; the map grows from 64 KiB up to its maximum on the way.
        while refusal == nil && appended < 20_000 {
            exportBefore = try ledger!.exportBytes()
            let batch = (0..<50).map { event("k-\(appended + $0)", traeger: ["caritas", "awo", nil][$0 % 3], minutes: Int64($0 + 1)) }
            do {
                _ = try ledger!.append(batch)
                appended += 50
            } catch {
                refusal = error
            }
        }
        let error = try #require(refusal as? LedgerError, "the map never filled")
        #expect(error.description.contains("maximum map size"), "\(error)")
        #expect(!error.isBadInput)
        #expect(ledger!.env.info.mapSizeBytes == 512 << 10, "the map grew to its maximum before refusing")
        #expect(try ledger!.exportBytes() == exportBefore, "nothing of the refused batch is there")
        #expect(try ledger!.head().seq == UInt64(appended))
        #expect(try ledger!.verify().isValid)
        #expect(try ledger!.appliedCount() == UInt64(appended), "the state committed with the log, no more")
        ledger = nil

        // Reopened with a small initial size: it adopts the file's map, and grows past the old maximum.
        let larger = Self.options(initial: 64 << 10, max: 8 << 20)
        let reopened = try Ledger.open(at: path, policy: TestPolicy(), options: larger)
        #expect(reopened.env.info.mapSizeBytes >= 512 << 10)
        for b in 0..<10 {
            _ = try reopened.append((0..<50).map { event("more-\(b)-\($0)", minutes: Int64($0 + 1)) })
        }
        #expect(reopened.env.info.mapSizeBytes > 512 << 10)
        #expect(try reopened.head().seq == UInt64(appended + 500))
        #expect(try reopened.verify().isValid)
        #expect(try reopened.exportBytes().starts(with: exportBefore))
    }
}
