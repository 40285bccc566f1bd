public import LedgerCore
import LMDB
#if canImport(Glibc)
import Glibc
#endif

/// The result of checking a ledger or an export: either every record and link holds, or the
/// first record where something does not, with a sentence saying what.
public struct VerificationResult: Equatable, Sendable {
    /// Records checked.
    public var records: Int = 0
    /// The last record checked (seq and hash), the head the check vouches for.
    public var lastSeq: UInt64 = 0
    public var lastHash: Digest32 = .zero
    /// The `seq` of the first bad record (or line number for unparseable lines), when any.
    public var failedSeq: UInt64?
    /// What was wrong.
    public var failure: String?
    /// Streams seen, with their last streamSeq.
    public var streams: [String: UInt64] = [:]

    public var isValid: Bool { failure == nil }
}

/// Checks hash chains: recomputes every hash and follows `prev` and `streamPrev`.
///
/// It is fed records one at a time in export order; it holds only the last hash of the ledger
/// and of each stream, so its memory does not grow with the log.
public struct ChainChecker {
    /// The result so far, without `streams` (kept in `streamTable`).
    private var state = VerificationResult()
    private var streamTable = StreamTable()
    private var lastRecordedAt = Timestamp(seconds: Int64.min)
    private var ledger: String?
    private var previousSeq: UInt64?
    /// The stream of every record so far (an index into `streamTable`), until a second one shows up.
    private var singleStream: Int?
    private var mixedStreams = false
    /// The first gap in `seq` (the seqs around it), let through while every record seen was of one
    /// stream: a single stream's export has gaps, an export of several streams must have none.
    private var firstGap: (after: UInt64, next: UInt64)?
    /// When set, every record must belong to this ledger.
    private let expectedLedger: String?
    private let expectedLedgerBytes: [UInt8]?
    /// `state.lastHash` in hex, to compare with the next record's `prev` in place.
    private var lastHashHex = Digest32.zero.hexText
    /// The last `recordedAt` text checked against a header, and its value.
    private var recordedAtText: [UInt8] = []
    private var recordedAtSeconds = Int64.min

    public init(expectedLedger: String? = nil) {
        self.expectedLedger = expectedLedger
        expectedLedgerBytes = expectedLedger.map { Array($0.utf8) }
    }

    /// The result so far.
    public var result: VerificationResult {
        var r = state
        r.streams = streamTable.lastStreamSeqs
        return r
    }

    /// Whether every record so far holds.
    public var isValid: Bool { state.failure == nil }

    /// Checks `record`, whose hash has been recomputed as `computed`. Returns false on the first failure.
    public mutating func check(_ record: Record, computedHash computed: Digest32) -> Bool {
        guard state.failure == nil else { return false }
        func fail(_ message: String) -> Bool {
            state.failedSeq = record.seq
            state.failure = "record \(record.seq): \(message)"
            return false
        }
        if record.hash != computed {
            return fail("hash does not match its content (stored \(record.hash.hex.prefix(16))…, computed \(computed.hex.prefix(16))…): the record was altered")
        }
        if let expectedLedger, record.ledger != expectedLedger {
            return fail("belongs to ledger \(record.ledger), expected \(expectedLedger)")
        }
        if let ledger, record.ledger != ledger { return fail("belongs to ledger \(record.ledger), not \(ledger)") }
        ledger = record.ledger
        if record.recordedAt < lastRecordedAt {
            return fail("recordedAt \(record.recordedAt) is earlier than the previous record's \(lastRecordedAt)")
        }
        lastRecordedAt = record.recordedAt
        let stream = streamTable.index(of: record.stream)
        if singleStream == nil && !mixedStreams { singleStream = stream } else if singleStream != stream {
            mixedStreams = true
            singleStream = nil
        }
        if mixedStreams, let gap = firstGap {
            state.failedSeq = gap.next
            state.failure = "record \(gap.next): seq \(gap.next) follows \(gap.after): records \(gap.after + 1)…\(gap.next - 1) are missing"
                + " (the export holds more than one stream, so it must hold every record)"
            return false
        }
        if let previousSeq {
            if record.seq == previousSeq + 1 {
                if record.prev != state.lastHash { return fail("prev does not match the hash of record \(previousSeq): the chain is broken") }
            } else if record.seq <= previousSeq {
                return fail("seq \(record.seq) follows \(previousSeq): records are out of order or repeated")
            } else if mixedStreams {
                return fail("seq \(record.seq) follows \(previousSeq): records \(previousSeq + 1)…\(record.seq - 1) are missing")
            } else if firstGap == nil {
                firstGap = (previousSeq, record.seq)
            }
        } else if record.seq == 1, record.prev != .zero {
            return fail("the first record's prev must be 64 zeros")
        }
        if let sh = streamTable.heads[stream] {
            if record.streamSeq != sh.seq + 1 {
                return fail("streamSeq \(record.streamSeq) of stream \(record.stream) follows \(sh.seq): records of the stream are missing")
            }
            if record.streamPrev != sh.hash { return fail("streamPrev does not match the stream's previous record: the stream chain is broken") }
        } else if record.streamSeq == 1, record.streamPrev != .zero {
            return fail("the stream's first record must have streamPrev of 64 zeros")
        }
        let hex = record.hash.hexText
        streamTable.setHead(stream, (record.streamSeq, record.hash), hex: hex)
        previousSeq = record.seq
        state.lastSeq = record.seq
        state.lastHash = record.hash
        lastHashHex = hex
        state.records += 1
        return true
    }

    /// The fast path of ``check(_:computedHash:)`` for a record read in place with
    /// ``CanonicalRecordScan``: true when the record holds; false when it does not *or* when this
    /// path cannot tell (a stream not seen before, another ledger name …). On false nothing has
    /// changed: run the full decode and ``check(_:computedHash:)``, which says exactly what is wrong.
    ///
    /// `json` is the scanned JSON, `storedHash` and `headerRecordedAt` come from the stored header.
    @inline(__always)
    public mutating func checkCanonical(_ r: CanonicalRecordScan, json: UnsafeRawBufferPointer, storedHash: Digest32,
                                        headerRecordedAt: Timestamp, computedHash computed: Digest32) -> Bool {
        guard state.failure == nil, storedHash == computed, let previousSeq else { return false }
        // Records of another ledger, and the first record of an export, take the full path.
        guard ledger != nil, let expected = expectedLedgerBytes,
              expected.withUnsafeBytes({ Self.same($0, json, r.ledger) }) else { return false }
        guard headerRecordedAt >= lastRecordedAt, recordedAtMatches(headerRecordedAt, json, r.recordedAt) else { return false }
        guard let stream = streamTable.find(UnsafeRawBufferPointer(rebasing: json[r.stream])),
              let streamHead = streamTable.heads[stream] else { return false }
        var single = singleStream, mixed = mixedStreams
        if single == nil && !mixed { single = stream } else if single != stream {
            mixed = true
            single = nil
        }
        // Gaps (in exports of one stream) and their bookkeeping are the full path's.
        guard !(mixed && firstGap != nil), r.seq == previousSeq + 1,
              lastHashHex.matches(UnsafeRawBufferPointer(rebasing: json[r.prev])) else { return false }
        guard r.streamSeq == streamHead.seq + 1,
              streamTable.hex(stream).matches(UnsafeRawBufferPointer(rebasing: json[r.streamPrev])) else { return false }
        let hex = storedHash.hexText
        streamTable.setHead(stream, (r.streamSeq, storedHash), hex: hex)
        singleStream = single
        mixedStreams = mixed
        lastRecordedAt = headerRecordedAt
        self.previousSeq = r.seq
        state.lastSeq = r.seq
        state.lastHash = storedHash
        lastHashHex = hex
        state.records += 1
        return true
    }

    @inline(__always)
    static func same(_ a: UnsafeRawBufferPointer, _ json: UnsafeRawBufferPointer, _ range: Range<Int>) -> Bool {
        a.count == range.count && memcmp(a.baseAddress!, json.baseAddress! + range.lowerBound, a.count) == 0
    }

    /// Whether `text` is exactly how `recordedAt` is written (so parsing it gives `recordedAt`).
    @inline(__always)
    private mutating func recordedAtMatches(_ recordedAt: Timestamp, _ json: UnsafeRawBufferPointer, _ range: Range<Int>) -> Bool {
        if recordedAt.seconds != recordedAtSeconds {
            // Years 1 to 9999 only: there the text is YYYY-MM-DDTHH:MM:SSZ and reads back as this
            // very time. A header beyond is damaged: the full path says so.
            guard recordedAt.seconds >= -62_135_596_800, recordedAt.seconds <= 253_402_300_799 else { return false }
            recordedAtText.removeAll(keepingCapacity: true)
            recordedAt.append(to: &recordedAtText)
            recordedAtSeconds = recordedAt.seconds
        }
        return recordedAtText.withUnsafeBytes { Self.same($0, json, range) }
    }

    /// Records a failure that is not about chaining (an unreadable line, a damaged value).
    public mutating func fail(at seq: UInt64, _ message: String) {
        guard state.failure == nil else { return }
        state.failedSeq = seq
        state.failure = message
    }
}

/// The streams a checker has seen, found by their name's bytes without making a `String`
/// (a small open-addressing table: a ledger has tens to hundreds of streams).
struct StreamTable {
    private(set) var names: [String] = []
    private var keys: [[UInt8]] = []
    /// Last (streamSeq, hash) of each stream; `nil` until its first record passed.
    private(set) var heads: [(seq: UInt64, hash: Digest32)?] = []
    private var hexes: [Digest32.HexText] = []
    /// Indexes + 1 into `keys` (0: empty), at `hash & mask`, probing linearly.
    private var slots = [Int32](repeating: 0, count: 64)

    /// The index of `name`, added when new.
    mutating func index(of name: String) -> Int {
        let bytes = Array(name.utf8)
        if let i = bytes.withUnsafeBytes({ find($0) }) { return i }
        names.append(name)
        keys.append(bytes)
        heads.append(nil)
        hexes.append(Digest32.HexText())
        if keys.count * 2 > slots.count {
            slots = [Int32](repeating: 0, count: slots.count * 2)
            for i in keys.indices { insert(i) }
        } else {
            insert(keys.count - 1)
        }
        return keys.count - 1
    }

    private mutating func insert(_ i: Int) {
        let mask = slots.count - 1
        var slot = Int(truncatingIfNeeded: keys[i].withUnsafeBytes { Self.fnv1a($0) }) & mask
        while slots[slot] != 0 { slot = (slot + 1) & mask }
        slots[slot] = Int32(i + 1)
    }

    /// The index of the stream named by `bytes`, when seen before.
    @inline(__always)
    func find(_ bytes: UnsafeRawBufferPointer) -> Int? {
        let mask = slots.count - 1
        var slot = Int(truncatingIfNeeded: Self.fnv1a(bytes)) & mask
        while true {
            let entry = Int(slots[slot])
            if entry == 0 { return nil }
            let matches = keys[entry - 1].withUnsafeBytes { k in
                k.count == bytes.count && (k.count == 0 || memcmp(k.baseAddress!, bytes.baseAddress!, k.count) == 0)
            }
            if matches { return entry - 1 }
            slot = (slot + 1) & mask
        }
    }

    @inline(__always)
    func hex(_ i: Int) -> Digest32.HexText { hexes[i] }

    @inline(__always)
    mutating func setHead(_ i: Int, _ head: (seq: UInt64, hash: Digest32), hex: Digest32.HexText) {
        heads[i] = head
        hexes[i] = hex
    }

    var lastStreamSeqs: [String: UInt64] {
        var out: [String: UInt64] = [:]
        for (i, name) in names.enumerated() { if let h = heads[i] { out[name] = h.seq } }
        return out
    }

    @inline(__always)
    static func fnv1a(_ bytes: UnsafeRawBufferPointer) -> UInt64 {
        var h: UInt64 = 0xCBF2_9CE4_8422_2325
        for b in bytes { h = (h ^ UInt64(b)) &* 0x100_0000_01B3 }
        return h ^ (h >> 29)
    }
}

extension Ledger {
    /// Verifies every stored record: its hash over the stored canonical bytes, both chains, the
    /// header, and that the head matches the last record. Memory stays flat.
    public func verify(progress: ((Int) -> Void)? = nil) throws -> VerificationResult {
        try verify(batchSize: Self.verifyBatchSize, hashAhead: HashAhead.hasIdleCore, progress: progress)
    }

    /// ``verify(progress:)`` on one thread, or with a second one hashing ahead (the default when
    /// a core is idle). The verdict is the same; the benchmark compares the speeds.
    public func verify(threads: Int, progress: ((Int) -> Void)? = nil) throws -> VerificationResult {
        try verify(batchSize: Self.verifyBatchSize, hashAhead: threads > 1, progress: progress)
    }

    /// Records per batch: small enough that a batch's bytes are still in the CPU's cache when
    /// they are checked, and that the pages mapped between two releases stay few (measured on
    /// 1M records: 128 to 256 beat 1,024 by 10–20 % and kept the peak RSS flat).
    static let verifyBatchSize = 128
    /// Batches between releases of the whole map (see ``Environment/releaseResidentPages(of:range:)``).
    static let batchesPerFullRelease = 512

    /// ``verify(progress:)`` with its knobs: records per batch, and whether a second thread hashes
    /// the next batch while this one is checked. The verdict is the same either way.
    func verify(batchSize: Int, hashAhead threaded: Bool, progress: ((Int) -> Void)? = nil) throws -> VerificationResult {
        var checker = ChainChecker(expectedLedger: name.description)
        var expected: UInt64 = 1
        var writer = CanonicalWriter(capacity: 1024)
        var fingerprints = IndexFingerprints()
        // One read transaction for everything: appends by other processes meanwhile are not seen.
        return try env.read { txn in
            let storedHead = try head(txn)
            try txn.withCursor(log) { cursor in
                let pipeline = HashAhead(threaded: threaded)
                defer { pipeline.finish() }
                var entry = try cursor.first()
                func fill(_ batch: HashAhead.Batch) throws {
                    batch.removeAll()
                    while batch.count < batchSize, let (k, v) = entry {
                        batch.keys.append(k)
                        batch.values.append(v)
                        entry = try cursor.next()
                    }
                    if batch.count > 0 { pipeline.hash(batch) }
                }
                try fill(pipeline.current)
                var batchesSinceFullRelease = 0
                while pipeline.current.count > 0 {
                    try fill(pipeline.next)
                    let batch = pipeline.current
                    pipeline.wait(batch)
                    // Local copies: reading a class's arrays in the loop costs an exclusivity check each time.
                    let keys = batch.keys, values = batch.values, digests = batch.digests
                    for i in 0..<keys.count {
                        guard try check(keys[i], values[i], computed: digests[i], &checker, &expected, &writer, &fingerprints,
                                        txn, progress) else { return }
                    }
                    // Hand the pages passed back to the OS, so that memory does not grow with the log.
                    var low = UInt.max, high: UInt = 0
                    for v in values {
                        low = min(low, UInt(bitPattern: v.baseAddress))
                        high = max(high, UInt(bitPattern: v.baseAddress) + UInt(v.count))
                    }
                    batchesSinceFullRelease += 1
                    if let anyValue = values.last?.baseAddress {
                        if batchesSinceFullRelease >= Self.batchesPerFullRelease {
                            env.releaseResidentPages(of: anyValue)
                            batchesSinceFullRelease = 0
                        } else {
                            env.releaseResidentPages(of: anyValue, range: low..<high)
                        }
                    }
                    pipeline.advance()
                }
            }
            var result = checker.result
            if result.isValid, result.lastSeq != storedHead.seq || result.lastHash != storedHead.hash {
                result.failedSeq = storedHead.seq
                result.failure = "the stored head (seq \(storedHead.seq)) does not match the last record (seq \(result.lastSeq))"
            }
            if result.isValid, let problem = try checkIndexes(result, fingerprints, txn) {
                result.failure = problem
            }
            return result
        }
    }

    /// Checks one stored record in log order; false once something is wrong (said in `checker`).
    @inline(__always)
    private func check(_ k: UnsafeRawBufferPointer, _ value: UnsafeRawBufferPointer, computed: Digest32,
                       _ checker: inout ChainChecker, _ expected: inout UInt64, _ writer: inout CanonicalWriter,
                       _ fingerprints: inout IndexFingerprints, _ txn: Transaction,
                       _ progress: ((Int) -> Void)?) throws -> Bool {
        guard let seq = BigEndianKey(k)?.value else { checker.fail(at: expected, "a log key is damaged"); return false }
        if seq != expected { checker.fail(at: expected, "record \(expected) is missing (next stored is \(seq))"); return false }
        // A search must find what the walk found: a damaged branch page can leave the walk intact
        // and send searches (every read by seq) astray.
        guard try txn.get(log, k)?.baseAddress == value.baseAddress else {
            checker.fail(at: seq, "record \(seq): a lookup by seq does not find it (the log's index pages are damaged)")
            return false
        }
        guard StoredRecord.isWellFormed(value) else { checker.fail(at: seq, "record \(seq): stored value is damaged"); return false }
        let json = StoredRecord.json(value)
        // The fast path: canonical bytes read in place (the scan accepts canonical form only).
        let fast = CanonicalRecordScan.scan(json).map { scan in
            let ok = scan.seq == seq && scan.hashOffset == StoredRecord.hashOffset(value)
                && checker.checkCanonical(scan, json: json, storedHash: StoredRecord.hash(value),
                                          headerRecordedAt: StoredRecord.recordedAt(value), computedHash: computed)
            if ok {
                fingerprints.add(key: UnsafeRawBufferPointer(rebasing: json[scan.key]), stream: UnsafeRawBufferPointer(rebasing: json[scan.stream]),
                                 streamSeq: scan.streamSeq, seq: seq)
            }
            return ok
        } ?? false
        if !fast {
            // The full decode: the reference, and the words for what is wrong.
            let record: Record
            do {
                record = try StoredRecord.decode(value)
            } catch {
                checker.fail(at: seq, "record \(seq): stored JSON is unreadable (\(error)): the record was altered")
                return false
            }
            if record.seq != seq { checker.fail(at: seq, "record \(seq): its seq field says \(record.seq)"); return false }
            if StoredRecord.recordedAt(value) != record.recordedAt {
                checker.fail(at: seq, "record \(seq): stored header disagrees with recordedAt"); return false
            }
            // Exports splice the hash in at the stored offset, so it must be where the
            // canonical form puts it, and the stored JSON must be that canonical form.
            writer.reset()
            let offset = record.writeCanonical(into: &writer, includeHash: false)
            if StoredRecord.hashOffset(value) != offset {
                checker.fail(at: seq, "record \(seq): stored header disagrees with the JSON (hash position)"); return false
            }
            if !writer.bytes.elementsEqual(json) {
                checker.fail(at: seq, "record \(seq): stored JSON is not in canonical form"); return false
            }
            guard checker.check(record, computedHash: computed) else { return false }
            var key = record.key, stream = record.stream
            key.withUTF8 { k in stream.withUTF8 { s in
                fingerprints.add(key: UnsafeRawBufferPointer(k), stream: UnsafeRawBufferPointer(s), streamSeq: record.streamSeq, seq: seq)
            } }
        }
        expected += 1
        if seq % 65_536 == 0 { progress?(Int(seq)) }
        return true
    }

    /// The indexes beside the log must agree with it: one idempotency key and one stream position
    /// per record, each pointing at its record (their fingerprints equal the log's), and each
    /// stream's stored head equal to its last record.
    private func checkIndexes(_ result: VerificationResult, _ log: IndexFingerprints, _ txn: Transaction) throws -> String? {
        do {
            let records = result.records
            if try txn.count(keys) != records {
                return "the idempotency index holds \(try txn.count(keys)) keys for \(records) records: it is damaged"
            }
            if try txn.count(streamLog) != records {
                return "the stream index holds \(try txn.count(streamLog)) positions for \(records) records: it is damaged"
            }
            if try txn.count(streams) != result.streams.count {
                return "the stream heads list \(try txn.count(streams)) streams, the log has \(result.streams.count): they are damaged"
            }
            let indexes = try IndexFingerprints.ofIndexes(keys: keys, streamLog: streamLog, txn, env: env)
            if indexes.keys != log.keys {
                return "the idempotency index does not match the log (a key is missing, extra, or points at the wrong record): it is damaged"
            }
            if indexes.streams != log.streams {
                return "the stream index does not match the log (a position is missing, extra, or points at the wrong record): it is damaged"
            }
            for (stream, last) in result.streams {
                guard let raw = try txn.get(streams, Array(stream.utf8)), raw.count == 40,
                      UInt64(littleEndian: raw.loadUnaligned(as: UInt64.self)) == last else {
                    return "the stored head of stream \(stream) does not match its last record (streamSeq \(last))"
                }
            }
            return nil
        }
    }
}

/// Verifies an export (JSON Lines of records) read in chunks: each line's hash is recomputed
/// from its canonical form, and the chains followed.
public struct ExportVerifier {
    public private(set) var checker = ChainChecker()
    private var pending: [UInt8] = []
    private var lineNumber = 0
    private var writer = CanonicalWriter(capacity: 1024)
    /// Every record's (seq, hash), when asked for (to compare with a signed head).
    public var onRecord: ((Record) -> Void)?

    public init() {}

    public var result: VerificationResult { checker.result }

    /// Feeds the next chunk of the file.
    public mutating func feed(_ chunk: UnsafeRawBufferPointer) {
        guard checker.isValid else { return }
        var start = 0
        for i in 0..<chunk.count where chunk[i] == 0x0A {
            if pending.isEmpty {
                line(UnsafeRawBufferPointer(rebasing: chunk[start..<i]))
            } else {
                pending.append(bytes: UnsafeRawBufferPointer(rebasing: chunk[start..<i]))
                let whole = pending
                pending.removeAll(keepingCapacity: true)
                whole.withUnsafeBytes { line($0) }
            }
            start = i + 1
            if !checker.isValid { return }
        }
        pending.append(bytes: UnsafeRawBufferPointer(rebasing: chunk[start...]))
    }

    /// Ends the file (a last line without newline counts).
    public mutating func finish() {
        if !pending.isEmpty {
            let whole = pending
            pending.removeAll()
            whole.withUnsafeBytes { line($0) }
        }
    }

    private mutating func line(_ bytes: UnsafeRawBufferPointer) {
        lineNumber += 1
        if bytes.allSatisfy({ $0 == 0x20 || $0 == 0x0D || $0 == 0x09 }) { return }
        let record: Record
        do {
            record = try Record(line: bytes)
        } catch {
            checker.fail(at: UInt64(lineNumber), "line \(lineNumber): \(error)")
            return
        }
        writer.reset()
        record.writeCanonical(into: &writer, includeHash: false)
        let computed = Digest32.sha256(writer.bytes)
        if checker.check(record, computedHash: computed) { onRecord?(record) }
    }
}

/// Order-independent fingerprints of what the two indexes beside the log must hold: the sum of
/// a 64-bit mix of every (key, seq) and every (stream, streamSeq, seq). Built from the log as it
/// is walked and from each index by a walk of its own, so that "every entry points at its
/// record, none missing, none extra" is checked in sequential reads, in flat memory. A damaged
/// entry changes its sum but with a chance of 2⁻⁶⁴.
struct IndexFingerprints: Equatable {
    var keys: UInt64 = 0
    var streams: UInt64 = 0

    @inline(__always)
    mutating func add(key: UnsafeRawBufferPointer, stream: UnsafeRawBufferPointer, streamSeq: UInt64, seq: UInt64) {
        keys &+= Self.mix(Self.fnv1a(key) ^ Self.mix(seq))
        streams &+= Self.mix(Self.fnv1a(stream) ^ Self.mix(streamSeq &* 0x9E37_79B9_7F4A_7C15 ^ seq))
    }

    /// The same fingerprints, from the idempotency index (`key` → seq, little-endian) and the
    /// stream index (`stream\0streamSeq` big-endian → seq, big-endian).
    static func ofIndexes(keys: Database, streamLog: Database, _ txn: Transaction, env: Environment) throws -> IndexFingerprints {
        var f = IndexFingerprints()
        var walked = 0
        try txn.withCursor(keys) { cursor in
            var entry = try cursor.first()
            while let (k, v) = entry {
                let seq = v.count == 8 ? UInt64(littleEndian: v.loadUnaligned(as: UInt64.self)) : 0
                f.keys &+= mix(fnv1a(k) ^ mix(seq))
                walked += 1
                if walked % 4_096 == 0 { env.releaseResidentPages(of: v.baseAddress!) }
                entry = try cursor.next()
            }
        }
        try txn.withCursor(streamLog) { cursor in
            var entry = try cursor.first()
            while let (k, v) = entry {
                let seq = v.count == 8 ? UInt64(bigEndian: v.loadUnaligned(as: UInt64.self)) : 0
                var streamSeq: UInt64 = 0
                var name = k
                if k.count >= 9, k[k.count - 9] == 0 {
                    streamSeq = UInt64(bigEndian: k.loadUnaligned(fromByteOffset: k.count - 8, as: UInt64.self))
                    name = UnsafeRawBufferPointer(rebasing: k[..<(k.count - 9)])
                }
                f.streams &+= mix(fnv1a(name) ^ mix(streamSeq &* 0x9E37_79B9_7F4A_7C15 ^ seq))
                walked += 1
                if walked % 4_096 == 0 { env.releaseResidentPages(of: v.baseAddress!) }
                entry = try cursor.next()
            }
        }
        return f
    }

    @inline(__always)
    static func fnv1a(_ bytes: UnsafeRawBufferPointer) -> UInt64 { StreamTable.fnv1a(bytes) }

    /// SplitMix64's finaliser: every input bit moves every output bit.
    @inline(__always)
    static func mix(_ x: UInt64) -> UInt64 {
        var z = x &+ 0x9E37_79B9_7F4A_7C15
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
