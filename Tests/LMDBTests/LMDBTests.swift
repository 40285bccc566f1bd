import Foundation
import Testing
@testable import LMDB

/// A fresh folder under the system's temporary directory, removed by `remove()`.
struct TempDir {
    let path: String
    init() throws {
        path = FileManager.default.temporaryDirectory.appendingPathComponent("lmdbtests-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }
    func remove() { try? FileManager.default.removeItem(atPath: path) }
}

/// Runs `body` with an environment in a fresh folder, with fsync off (tests only).
func withEnvironment<R>(mapSizeBytes: Int = 1 << 24, _ body: (Environment, String) throws -> R) throws -> R {
    let dir = try TempDir()
    defer { dir.remove() }
    var options = Environment.Options()
    options.mapSizeBytes = mapSizeBytes
    options.noSync = true
    return try body(try Environment(path: dir.path, options: options), dir.path)
}

struct Marker: Error {}

func bytes(_ s: String) -> [UInt8] { Array(s.utf8) }

@Suite("LMDB wrapper")
struct LMDBTests {
    @Test("put, get, overwrite, delete")
    func putGetDelete() throws {
        try withEnvironment { env, _ throws in
            let db = try env.openDatabase("t")
            try env.write { txn throws in
                try txn.put(db, bytes("a"), bytes("one"))
                try txn.put(db, bytes("b"), bytes("two"))
            }
            try env.read { txn throws in
                #expect(try txn.get(db, bytes("a")).map { Array($0) } == bytes("one"))
                #expect(try txn.get(db, bytes("b")).map { Array($0) } == bytes("two"))
                #expect(try txn.get(db, bytes("c")) == nil)
                #expect(try txn.count(db) == 2)
            }
            try env.write { txn throws in try txn.put(db, bytes("a"), bytes("uno")) }
            #expect(try env.read { txn throws in try txn.get(db, bytes("a")).map { Array($0) } } == bytes("uno"))
            let deleted = try env.write { txn throws in (try txn.delete(db, bytes("a")), try txn.delete(db, bytes("zzz"))) }
            #expect(deleted.0 == true)
            #expect(deleted.1 == false)
            try env.read { txn throws in
                #expect(try txn.get(db, bytes("a")) == nil)
                #expect(try txn.count(db) == 1)
            }
            #expect(try env.count(db) == 1)
            try env.write { txn throws in try txn.clear(db) }
            #expect(try env.count(db) == 0)
        }
    }

    @Test("noOverwrite refuses an existing key with keyExists; append refuses a key out of order")
    func putFlags() throws {
        try withEnvironment { env, _ throws in
            let db = try env.openDatabase("t")
            try env.write { txn throws in try txn.put(db, bytes("k"), bytes("v"), noOverwrite: true) }
            #expect(throws: LMDBError.keyExists) {
                try env.write { txn throws in try txn.put(db, bytes("k"), bytes("w"), noOverwrite: true) }
            }
            #expect(try env.read { txn throws in try txn.get(db, bytes("k")).map { Array($0) } } == bytes("v"))
            let log = try env.openDatabase("log")
            try env.write { txn throws in
                for i in 1...100 as ClosedRange<UInt64> { try txn.put(log, BigEndianKey(i), bytes("\(i)"), append: true) }
            }
            #expect(throws: LMDBError.keyExists) {
                try env.write { txn throws in try txn.put(log, BigEndianKey(50), bytes("x"), append: true) }
            }
            try env.write { txn throws in try txn.put(log, BigEndianKey(101), bytes("101"), append: true) }
            #expect(try env.count(log) == 101)
        }
    }

    @Test("empty keys and large values")
    func edgesOfValues() throws {
        try withEnvironment { env, _ throws in
            let db = try env.openDatabase("t")
            let big = (0..<100_000).map { UInt8(truncatingIfNeeded: $0 &* 31) } // overflow pages
            try env.write { txn throws in
                try txn.put(db, bytes("big"), big)
                try txn.put(db, bytes("empty"), [UInt8]())
            }
            try env.read { txn throws in
                #expect(try txn.get(db, bytes("big")).map { Array($0) } == big)
                #expect(try txn.get(db, bytes("empty"))?.count == 0)
            }
            // LMDB refuses an empty key; the wrapper reports it as an error, not a crash.
            #expect(throws: LMDBError.self) { try env.write { txn throws in try txn.put(db, [UInt8](), bytes("x")) } }
        }
    }

    @Test("a write that throws commits nothing, including earlier puts in the same closure")
    func writeAbortsOnThrow() throws {
        try withEnvironment { env, _ throws in
            let db = try env.openDatabase("t")
            try env.write { txn throws in try txn.put(db, bytes("kept"), bytes("1")) }
            #expect(throws: Marker.self) {
                try env.write { txn throws in
                    try txn.put(db, bytes("kept"), bytes("changed"))
                    try txn.put(db, bytes("new"), bytes("2"))
                    _ = try txn.delete(db, bytes("kept"))
                    throw Marker()
                }
            }
            try env.read { txn throws in
                #expect(try txn.get(db, bytes("kept")).map { Array($0) } == bytes("1"))
                #expect(try txn.get(db, bytes("new")) == nil)
            }
            // A failed put inside a write: the caller catches nothing, the whole write is gone.
            #expect(throws: LMDBError.keyExists) {
                try env.write { txn throws in
                    try txn.put(db, bytes("other"), bytes("3"))
                    try txn.put(db, bytes("kept"), bytes("x"), noOverwrite: true)
                }
            }
            #expect(try env.read { txn throws in try txn.get(db, bytes("other")) } == nil)
            // The environment is still usable.
            try env.write { txn throws in try txn.put(db, bytes("after"), bytes("4")) }
            #expect(try env.count(db) == 2)
        }
    }

    @Test("a read transaction cannot write")
    func readIsReadOnly() throws {
        try withEnvironment { env, _ throws in
            let db = try env.openDatabase("t")
            #expect(throws: LMDBError.self) { try env.read { txn throws in try txn.put(db, bytes("k"), bytes("v")) } }
            #expect(try env.read { txn throws in txn.readOnly })
            #expect(try env.write { txn throws in txn.readOnly } == false)
            #expect(try env.count(db) == 0)
        }
    }

    @Test("named databases are separate")
    func namedDatabases() throws {
        try withEnvironment { env, _ throws in
            let a = try env.openDatabase("a"), b = try env.openDatabase("b")
            try env.write { txn throws in
                try txn.put(a, bytes("k"), bytes("in a"))
                try txn.put(b, bytes("k"), bytes("in b"))
            }
            try env.read { txn throws in
                #expect(try txn.get(a, bytes("k")).map { Array($0) } == bytes("in a"))
                #expect(try txn.get(b, bytes("k")).map { Array($0) } == bytes("in b"))
            }
        }
    }

    @Test("cursors walk in key order; big-endian keys sort numerically")
    func cursors() throws {
        try withEnvironment { env, _ throws in
            let db = try env.openDatabase("log")
            var rng = SystemRandomNumberGenerator()
            let numbers = (0..<2000).map { _ in UInt64.random(in: 0...UInt64.max, using: &rng) } + [0, 1, 255, 256, .max]
            try env.write { txn throws in
                for n in numbers { try txn.put(db, BigEndianKey(n), bytes(String(n))) }
            }
            let sorted = Array(Set(numbers)).sorted()
            let (walked, values) = try env.read { txn throws in
                try txn.withCursor(db) { cursor throws in
                    var keys: [UInt64] = [], values: [String] = []
                    var entry = try cursor.first()
                    while let (k, v) = entry {
                        keys.append(BigEndianKey(k)!.value)
                        values.append(String(decoding: v, as: UTF8.self))
                        entry = try cursor.next()
                    }
                    return (keys, values)
                }
            }
            #expect(walked == sorted)
            #expect(values == sorted.map(String.init))
            try env.read { txn throws in
                try txn.withCursor(db) { cursor throws in
                    #expect(try cursor.last().map { BigEndianKey($0.key)!.value } == .max)
                    #expect(try cursor.previous().map { BigEndianKey($0.key)!.value } == sorted[sorted.count - 2])
                    #expect(try cursor.next().map { BigEndianKey($0.key)!.value } == .max)
                    #expect(try cursor.next() == nil)
                    #expect(try cursor.first().map { BigEndianKey($0.key)!.value } == 0)
                    #expect(try cursor.previous() == nil)
                    #expect(try cursor.seek(atLeast: BigEndianKey(2)).map { BigEndianKey($0.key)!.value } == 255)
                    #expect(try cursor.seek(atLeast: BigEndianKey(256)).map { BigEndianKey($0.key)!.value } == 256)
                    let afterMiddle = sorted.first { $0 > UInt64.max / 2 }
                    #expect(try cursor.seek(atLeast: BigEndianKey(UInt64.max / 2 + 1)).map { BigEndianKey($0.key)!.value } == afterMiddle)
                }
            }
        }
    }

    @Test("seeking by prefix over string keys")
    func prefixSeek() throws {
        try withEnvironment { env, _ throws in
            let db = try env.openDatabase("s")
            try env.write { txn throws in
                for k in ["a", "traeger:awo\u{0}1", "traeger:caritas\u{0}1", "traeger:caritas\u{0}2", "traeger:caritasx\u{0}1", "z"] {
                    try txn.put(db, k.lmdbKey, bytes("v"))
                }
            }
            let prefix = bytes("traeger:caritas\u{0}")
            let found = try env.read { txn throws in
                try txn.withCursor(db) { cursor throws in
                    var out: [String] = []
                    var entry = try cursor.seek(atLeast: prefix)
                    while let (k, _) = entry, k.starts(with: prefix) {
                        out.append(String(decoding: k, as: UTF8.self))
                        entry = try cursor.next()
                    }
                    return out
                }
            }
            #expect(found == ["traeger:caritas\u{0}1", "traeger:caritas\u{0}2"])
        }
    }

    @Test("BigEndianKey round-trips and refuses wrong lengths")
    func bigEndianKey() {
        for n: UInt64 in [0, 1, 0x0102_0304_0506_0708, .max] {
            let raw = BigEndianKey(n).withUnsafeBytes { Array($0) }
            #expect(raw.count == 8)
            #expect(raw.withUnsafeBytes { BigEndianKey($0)?.value } == n)
        }
        #expect(BigEndianKey(0x0102).withUnsafeBytes { Array($0) } == [0, 0, 0, 0, 0, 0, 1, 2])
        #expect([UInt8](repeating: 0, count: 7).withUnsafeBytes { BigEndianKey($0) } == nil)
    }

    @Test("errors carry LMDB's code and text")
    func errors() throws {
        #expect(LMDBError.mapFull.description.contains("MDB_MAP_FULL"))
        #expect(LMDBError.keyExists.description.contains("MDB_KEYEXIST"))
        #expect(LMDBError(code: 2).description.lowercased().contains("no such file"))
        #expect(throws: LMDBError.noSuchFile) {
            try Environment(path: "/nonexistent-\(UUID().uuidString)/x")
        }
    }

    @Test("a failed open throws cleanly (no double close), also for a file that is not LMDB")
    func failedOpen() throws {
        let dir = try TempDir()
        defer { dir.remove() }
        for _ in 0..<3 {
            #expect(throws: LMDBError.noSuchFile) { try Environment(path: dir.path + "/missing") }
        }
        try Data(repeating: 0x42, count: 16384).write(to: URL(fileURLWithPath: dir.path + "/data.mdb"))
        #expect(throws: LMDBError.invalid) { try Environment(path: dir.path) }
    }

    @Test("a full map grows by doubling and the write is retried")
    func mapGrowthInOneWrite() throws {
        try withEnvironment(mapSizeBytes: 64 << 10) { env, _ throws in
            let db = try env.openDatabase("t")
            let initial = env.info.mapSizeBytes
            let value = [UInt8](repeating: 0xAB, count: 1000)
            var runs = 0
            try env.write { txn throws in
                runs += 1
                for i in 0..<3000 as Range<UInt64> { try txn.put(db, BigEndianKey(i), value) }
            }
            #expect(runs > 1, "the body ran again after the map grew")
            #expect(env.info.mapSizeBytes > initial)
            #expect(env.info.mapSizeBytes >= 3000 * 1000)
            #expect(try env.count(db) == 3000)
        }
    }

    @Test("a full map grows across many small writes; a reopened environment adopts the size")
    func mapGrowthAcrossWritesAndReopen() throws {
        let dir = try TempDir()
        defer { dir.remove() }
        var options = Environment.Options()
        options.mapSizeBytes = 64 << 10
        options.noSync = true
        let value = [UInt8](repeating: 0x5A, count: 700)
        var grownTo = 0
        do {
            let env = try Environment(path: dir.path, options: options)
            let db = try env.openDatabase("t")
            for i in 0..<2000 as Range<UInt64> {
                try env.write { txn throws in try txn.put(db, BigEndianKey(i), value, append: true) }
            }
            grownTo = env.info.mapSizeBytes
            #expect(grownTo > 64 << 10)
            try env.sync()
        }
        // Reopen asking for the small size again: the data is all there and writes keep working.
        let env = try Environment(path: dir.path, options: options)
        let db = try env.openDatabase("t")
        #expect(env.info.mapSizeBytes >= env.info.usedBytes)
        #expect(try env.count(db) == 2000)
        try env.read { txn throws in
            for i in [0, 999, 1999] as [UInt64] {
                #expect(try txn.get(db, BigEndianKey(i)).map { Array($0) } == value)
            }
        }
        for i in 2000..<4000 as Range<UInt64> {
            try env.write { txn throws in try txn.put(db, BigEndianKey(i), value, append: true) }
        }
        #expect(try env.count(db) == 4000)
        #expect(env.info.mapSizeBytes >= 4000 * 700)
    }

    @Test("growth stops at mapSizeBytesMax with mapFull, and nothing of that write is committed")
    func mapSizeLimit() throws {
        let dir = try TempDir()
        defer { dir.remove() }
        var options = Environment.Options()
        options.mapSizeBytes = 64 << 10
        options.mapSizeBytesMax = 256 << 10
        options.noSync = true
        let env = try Environment(path: dir.path, options: options)
        let db = try env.openDatabase("t")
        try env.write { txn throws in try txn.put(db, bytes("small"), bytes("ok")) }
        #expect(throws: LMDBError.mapFull) {
            try env.write { txn throws in
                for i in 0..<1000 as Range<UInt64> { try txn.put(db, BigEndianKey(i), [UInt8](repeating: 1, count: 1000)) }
            }
        }
        #expect(env.info.mapSizeBytes == 256 << 10)
        #expect(try env.count(db) == 1)
        try env.write { txn throws in try txn.put(db, bytes("still"), bytes("works")) }
        #expect(try env.count(db) == 2)
    }

    @Test("a compacting copy opens and holds the same data")
    func copy() throws {
        try withEnvironment { env, _ throws in
            let db = try env.openDatabase("t")
            try env.write { txn throws in
                for i in 0..<500 as Range<UInt64> { try txn.put(db, BigEndianKey(i), bytes("value \(i)")) }
            }
            try env.write { txn throws in
                for i in 0..<250 as Range<UInt64> { try txn.delete(db, BigEndianKey(i)) }
            }
            let target = try TempDir()
            defer { target.remove() }
            try env.copy(to: target.path)
            var options = Environment.Options()
            options.readOnly = true
            let copy = try Environment(path: target.path, options: options)
            let cdb = try copy.openDatabase("t")
            #expect(try copy.count(cdb) == 250)
            #expect(try copy.read { txn throws in try txn.get(cdb, BigEndianKey(499)).map { Array($0) } } == bytes("value 499"))
            #expect(throws: (any Error).self) { try copy.write { txn throws in try txn.put(cdb, bytes("x"), bytes("y")) } }
        }
    }
}

@Suite("Map regions for crash handlers")
struct MapRegionTests {
    /// The address of the value stored under `key`: a pointer into the map.
    func valueAddress(_ env: Environment, _ db: Database, _ key: String) throws -> UInt {
        try env.read { txn throws in UInt(bitPattern: try #require(try txn.get(db, bytes(key))).baseAddress) }
    }

    @Test("a value read in place lies in a recorded map, a heap address does not; after growth and close they follow")
    func regionsFollowTheMap() throws {
        let dir = try TempDir()
        defer { dir.remove() }
        var options = Environment.Options()
        options.mapSizeBytes = 1 << 20
        options.noSync = true
        var env: Environment? = try Environment(path: dir.path, options: options)
        let db = try env!.openDatabase("t")
        try env!.write { txn throws in try txn.put(db, bytes("k"), [UInt8](repeating: 7, count: 100)) }
        let inMap = try valueAddress(env!, db, "k")
        #expect(MapRegions.contains(inMap))
        let heap = UnsafeMutablePointer<UInt8>.allocate(capacity: 16)
        defer { heap.deallocate() }
        #expect(!MapRegions.contains(UInt(bitPattern: heap)))

        // Growing the map may move it: the record follows.
        try env!.growMap()
        try env!.write { txn throws in try txn.put(db, bytes("big"), [UInt8](repeating: 1, count: 1 << 20)) }
        let afterGrowth = try valueAddress(env!, db, "big")
        #expect(MapRegions.contains(afterGrowth))
        #expect(MapRegions.contains(afterGrowth + (1 << 20) - 1))

        env = nil
        #expect(!MapRegions.contains(afterGrowth), "a closed environment's map is forgotten")
    }
}
