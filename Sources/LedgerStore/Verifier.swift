public import LedgerCore
public import LMDB

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
    public private(set) var result = VerificationResult()
    private var streamHeads: [String: (seq: UInt64, hash: Digest32)] = [:]
    private var lastRecordedAt = Timestamp(seconds: Int64.min)
    private var ledger: String?
    private var previousSeq: UInt64?
    private var singleStream: String?
    private var mixedStreams = false
    /// The first gap in `seq` (the seqs around it), let through while every record seen was of one
    /// stream: a single stream's export has gaps, an export of several streams must have none.
    private var firstGap: (after: UInt64, next: UInt64)?
    /// When set, every record must belong to this ledger.
    private let expectedLedger: String?

    public init(expectedLedger: String? = nil) { self.expectedLedger = expectedLedger }

    /// Checks `record`, whose hash has been recomputed as `computed`. Returns false on the first failure.
    public mutating func check(_ record: Record, computedHash computed: Digest32) -> Bool {
        guard result.failure == nil else { return false }
        func fail(_ message: String) -> Bool {
            result.failedSeq = record.seq
            result.failure = "record \(record.seq): \(message)"
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
        if singleStream == nil && !mixedStreams { singleStream = record.stream } else if singleStream != record.stream {
            mixedStreams = true
            singleStream = nil
        }
        if mixedStreams, let gap = firstGap {
            result.failedSeq = gap.next
            result.failure = "record \(gap.next): seq \(gap.next) follows \(gap.after): records \(gap.after + 1)…\(gap.next - 1) are missing"
                + " (the export holds more than one stream, so it must hold every record)"
            return false
        }
        if let previousSeq {
            if record.seq == previousSeq + 1 {
                if record.prev != result.lastHash { return fail("prev does not match the hash of record \(previousSeq): the chain is broken") }
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
        if let sh = streamHeads[record.stream] {
            if record.streamSeq != sh.seq + 1 {
                return fail("streamSeq \(record.streamSeq) of stream \(record.stream) follows \(sh.seq): records of the stream are missing")
            }
            if record.streamPrev != sh.hash { return fail("streamPrev does not match the stream's previous record: the stream chain is broken") }
        } else if record.streamSeq == 1, record.streamPrev != .zero {
            return fail("the stream's first record must have streamPrev of 64 zeros")
        }
        streamHeads[record.stream] = (record.streamSeq, record.hash)
        result.streams[record.stream] = record.streamSeq
        previousSeq = record.seq
        result.lastSeq = record.seq
        result.lastHash = record.hash
        result.records += 1
        return true
    }

    /// Records a failure that is not about chaining (an unreadable line, a damaged value).
    public mutating func fail(at seq: UInt64, _ message: String) {
        guard result.failure == nil else { return }
        result.failedSeq = seq
        result.failure = message
    }
}

extension Ledger {
    /// Verifies every stored record: its hash over the stored canonical bytes, both chains, the
    /// header, and that the head matches the last record. Memory stays flat.
    public func verify(progress: ((Int) -> Void)? = nil) throws -> VerificationResult {
        var checker = ChainChecker(expectedLedger: name.description)
        var expected: UInt64 = 1
        var writer = CanonicalWriter(capacity: 1024)
        let storedHead = try head()
        try env.read { txn in
            try txn.withCursor(log) { cursor in
                var entry = try cursor.first()
                while let (k, value) = entry {
                    guard let seq = BigEndianKey(k)?.value else { checker.fail(at: expected, "a log key is damaged"); return }
                    if seq != expected { checker.fail(at: expected, "record \(expected) is missing (next stored is \(seq))"); return }
                    guard StoredRecord.isWellFormed(value) else { checker.fail(at: seq, "record \(seq): stored value is damaged"); return }
                    let computed = Digest32.sha256(StoredRecord.json(value))
                    let record: Record
                    do {
                        record = try StoredRecord.decode(value)
                    } catch {
                        checker.fail(at: seq, "record \(seq): stored JSON is unreadable (\(error)): the record was altered")
                        return
                    }
                    if record.seq != seq { checker.fail(at: seq, "record \(seq): its seq field says \(record.seq)"); return }
                    if StoredRecord.recordedAt(value) != record.recordedAt {
                        checker.fail(at: seq, "record \(seq): stored header disagrees with recordedAt"); return
                    }
                    // Exports splice the hash in at the stored offset, so it must be where the
                    // canonical form puts it, and the stored JSON must be that canonical form.
                    writer.reset()
                    let offset = record.writeCanonical(into: &writer, includeHash: false)
                    if StoredRecord.hashOffset(value) != offset {
                        checker.fail(at: seq, "record \(seq): stored header disagrees with the JSON (hash position)"); return
                    }
                    if !writer.bytes.elementsEqual(StoredRecord.json(value)) {
                        checker.fail(at: seq, "record \(seq): stored JSON is not in canonical form"); return
                    }
                    guard checker.check(record, computedHash: computed) else { return }
                    expected += 1
                    if seq % 65_536 == 0 { progress?(Int(seq)) }
                    entry = try cursor.next()
                }
            }
        }
        var result = checker.result
        if result.isValid, result.lastSeq != storedHead.seq || result.lastHash != storedHead.hash {
            result.failedSeq = storedHead.seq
            result.failure = "the stored head (seq \(storedHead.seq)) does not match the last record (seq \(result.lastSeq))"
        }
        if result.isValid, let problem = try checkIndexes(result) {
            result.failure = problem
        }
        return result
    }

    /// The indexes beside the log must agree with it: one idempotency key and one stream position
    /// per record, and each stream's stored head equal to its last record.
    private func checkIndexes(_ result: VerificationResult) throws -> String? {
        try env.read { txn in
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
        guard checker.result.isValid else { return }
        var start = 0
        for i in 0..<chunk.count where chunk[i] == 0x0A {
            if pending.isEmpty {
                line(UnsafeRawBufferPointer(rebasing: chunk[start..<i]))
            } else {
                pending.append(contentsOf: UnsafeRawBufferPointer(rebasing: chunk[start..<i]))
                let whole = pending
                pending.removeAll(keepingCapacity: true)
                whole.withUnsafeBytes { line($0) }
            }
            start = i + 1
            if !checker.result.isValid { return }
        }
        pending.append(contentsOf: UnsafeRawBufferPointer(rebasing: chunk[start...]))
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
