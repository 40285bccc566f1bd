public import LedgerCore
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Why a reconciliation's source cannot be used.
public struct ReconcileSourceError: Error, Equatable, CustomStringConvertible {
    public enum Reason: Equatable, Sendable {
        /// The chain does not hold: a record was altered, removed or reordered (exit 1).
        case tampered
        /// Not a ledger or export, unreadable, empty, the wrong stream (exit 2).
        case unusable
    }
    public let reason: Reason
    public let message: String
    public var description: String { message }
}

/// One side's input to a reconciliation: a ledger folder or an export file (JSON Lines of
/// records, a whole ledger or one stream), verified when opened, before anything is compared.
///
/// Reading is bounded by what was verified: a ledger that grows meanwhile is read only up to the
/// verified head, so every pass sees the same records.
public final class ReconcileSource {
    public enum Kind: Sendable { case folder, exportFile }

    public let path: String
    public let kind: Kind
    /// Whose ledger: from the ledger's meta, or from the export's records.
    public let name: LedgerName
    /// The opened ledger (folders only): where `--record` appends.
    public let ledger: Ledger?
    /// The verified extent: the last record checked (seq, hash).
    public let verified: VerificationResult

    private init(path: String, kind: Kind, name: LedgerName, ledger: Ledger?, verified: VerificationResult) {
        self.path = path
        self.kind = kind
        self.name = name
        self.ledger = ledger
        self.verified = verified
    }

    /// Opens and verifies `path`: a ledger folder (opened with `policy`, every record and both
    /// chains checked) or an export file (every line's hash recomputed, the chains followed).
    public static func open(_ path: String, policy: any LedgerPolicy,
                            progress: ((Int) -> Void)? = nil) throws(ReconcileSourceError) -> ReconcileSource {
        var isDir: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDir) else {
            throw ReconcileSourceError(reason: .unusable, message: "\(path) does not exist")
        }
        if isDir.boolValue {
            let ledger: Ledger
            let result: VerificationResult
            do {
                ledger = try Ledger.open(at: path, policy: policy)
                result = try ledger.verify(progress: progress)
            } catch {
                throw ReconcileSourceError(reason: .unusable, message: "\(path): \(error)")
            }
            guard result.isValid else {
                throw ReconcileSourceError(reason: .tampered, message: "\(path) fails verification: \(result.failure ?? "unknown failure")")
            }
            return ReconcileSource(path: path, kind: .folder, name: ledger.name, ledger: ledger, verified: result)
        }
        var verifier = ExportVerifier()
        var ledgerName: String?
        verifier.onRecord = { record in if ledgerName == nil { ledgerName = record.ledger } }
        do {
            try readFile(path) { chunk in
                verifier.feed(chunk)
                progress?(verifier.result.records)
            }
        } catch {
            throw ReconcileSourceError(reason: .unusable, message: error.message)
        }
        verifier.finish()
        let result = verifier.result
        guard result.isValid else {
            throw ReconcileSourceError(reason: .tampered, message: "\(path) fails verification: \(result.failure ?? "unknown failure")")
        }
        guard let ledgerName, let name = LedgerName(ledgerName) else {
            throw ReconcileSourceError(reason: .unusable, message: "\(path) holds no records, so it does not say whose ledger it is")
        }
        return ReconcileSource(path: path, kind: .exportFile, name: name, ledger: nil, verified: result)
    }

    /// Opens and verifies two sources at the same time, one thread each (both sides of a
    /// reconciliation), each as ``open(_:policy:progress:)`` does. `progress` gets the records
    /// verified so far of both together, from either thread.
    public static func openBoth(_ a: String, _ b: String, policy: any LedgerPolicy, progress: ((Int) -> Void)? = nil)
        -> (Result<ReconcileSource, ReconcileSourceError>, Result<ReconcileSource, ReconcileSourceError>) {
        let counts = Lock()
        var seen = [0, 0]
        func report(_ side: Int, _ n: Int) {
            guard let progress else { return }
            counts.withLock {
                seen[side] = n
                progress(seen[0] + seen[1])
            }
        }
        func opened(_ side: Int, _ path: String) -> Result<ReconcileSource, ReconcileSourceError> {
            Result { () throws(ReconcileSourceError) -> ReconcileSource in try open(path, policy: policy) { report(side, $0) } }
        }
        return concurrently({ opened(0, a) }, { opened(1, b) })
    }

    /// Verifies a ledger this process has open already (LMDB allows one environment handle per
    /// file and process) and uses it as a source.
    public static func open(ledger: Ledger, progress: ((Int) -> Void)? = nil) throws(ReconcileSourceError) -> ReconcileSource {
        let result: VerificationResult
        do {
            result = try ledger.verify(progress: progress)
        } catch {
            throw ReconcileSourceError(reason: .unusable, message: "\(ledger.directory): \(error)")
        }
        guard result.isValid else {
            throw ReconcileSourceError(reason: .tampered, message: "\(ledger.directory) fails verification: \(result.failure ?? "unknown failure")")
        }
        return ReconcileSource(path: ledger.directory, kind: .folder, name: ledger.name, ledger: ledger, verified: result)
    }

    /// Refuses an export of a single stream that is not `stream` (an export for another
    /// counterparty would otherwise look like a side that recorded nothing).
    public func check(stream: String) throws(ReconcileSourceError) {
        guard kind == .exportFile, verified.streams.count == 1, let only = verified.streams.keys.first, only != stream else { return }
        throw ReconcileSourceError(reason: .unusable, message: "\(path) is an export of stream \(only), not of \(stream): export the stream for this counterparty")
    }

    /// The records, for the reconciler (re-readable; up to the verified head; from `asOf` on
    /// the reader stops).
    public func records(stream: String, asOf: Timestamp?) -> any RecordSource {
        switch kind {
        case .folder:
            // A stream that is most of the log (a Träger's ledger, a Jugendamt working with one
            // Träger) is read along the log, in key order, rather than looked up record by
            // record through the stream index; the reconciler skips the other streams' records.
            LedgerStreamRecords(ledger: ledger!, stream: stream, asOf: asOf, lastSeq: verified.lastSeq,
                                alongTheLog: (verified.streams[stream] ?? 0) * 2 > UInt64(verified.records))
        case .exportFile: ExportFileRecords(path: path, lastSeq: verified.lastSeq)
        }
    }
}

/// A stream of a ledger folder, read through the stream index, or along the whole log (then
/// with the other streams' records too, which the reconciler leaves out).
struct LedgerStreamRecords: RecordSource {
    let ledger: Ledger
    let stream: String
    let asOf: Timestamp?
    let lastSeq: UInt64
    var alongTheLog = false

    func forEachRecord(types: Set<String>?, _ body: (RecordView) throws -> Void) throws {
        let suffixes = types.map { $0.map { Array(",\"type\":\"\($0)\"}".utf8) } }
        try ledger.scan(stream: alongTheLog ? nil : stream, asOf: asOf) { seq, value in
            if seq > lastSeq { return false }
            guard StoredRecord.isWellFormed(value) else { throw RecordFormatError("stored record \(seq) is truncated") }
            let json = StoredRecord.json(value)
            if let suffixes {
                // Stored JSON is canonical: `type` is its last member, so the tail names the type.
                guard suffixes.contains(where: { json.count >= $0.count && json.suffix($0.count).elementsEqual($0) }) else { return true }
            }
            if let view = RecordView(stored: json, recordedAt: StoredRecord.recordedAt(value), hash: StoredRecord.hash(value)) {
                try body(view)
            } else {
                try body(RecordView(try StoredRecord.decode(value)))
            }
            return true
        }
    }
}

/// An export file's records, read line by line (re-read for each pass).
struct ExportFileRecords: RecordSource {
    let path: String
    let lastSeq: UInt64

    func forEachRecord(types: Set<String>?, _ body: (RecordView) throws -> Void) throws {
        let patterns = types.map { $0.map { Array($0.utf8) } }
        var pending: [UInt8] = []
        var done = false
        func line(_ bytes: UnsafeRawBufferPointer) throws {
            if done || bytes.allSatisfy({ $0 == 0x20 || $0 == 0x0D || $0 == 0x09 }) { return }
            // Skip parsing a line that cannot be of a wanted type: it does not name one and has
            // no escapes that could spell one.
            if let patterns, !bytes.contains(0x5C), !patterns.contains(where: { contains(bytes, $0) }) {
                return
            }
            if let view = RecordView(line: bytes) {
                if view.seq > lastSeq { done = true; return }
                try body(view)
            } else {
                let record = try Record(line: bytes)
                if record.seq > lastSeq { done = true; return }
                try body(RecordView(record))
            }
        }
        try readFile(path) { chunk in
            var start = 0
            for i in 0..<chunk.count where chunk[i] == 0x0A {
                if pending.isEmpty {
                    try line(UnsafeRawBufferPointer(rebasing: chunk[start..<i]))
                } else {
                    pending.append(contentsOf: UnsafeRawBufferPointer(rebasing: chunk[start..<i]))
                    let whole = pending
                    pending.removeAll(keepingCapacity: true)
                    try whole.withUnsafeBytes { try line($0) }
                }
                start = i + 1
            }
            pending.append(contentsOf: UnsafeRawBufferPointer(rebasing: chunk[start...]))
        }
        if !pending.isEmpty { try pending.withUnsafeBytes { try line($0) } }
    }
}

/// Whether `pattern` occurs in `bytes`.
func contains(_ bytes: UnsafeRawBufferPointer, _ pattern: [UInt8]) -> Bool {
    guard let first = pattern.first, bytes.count >= pattern.count else { return pattern.isEmpty }
    var i = 0
    let end = bytes.count - pattern.count
    while i <= end {
        if bytes[i] == first {
            var j = 1
            while j < pattern.count, bytes[i + j] == pattern[j] { j += 1 }
            if j == pattern.count { return true }
        }
        i += 1
    }
    return false
}

/// Reads a file in chunks of 1 MiB.
func readFile(_ path: String, _ body: (UnsafeRawBufferPointer) throws -> Void) throws {
    let fd = Glibc.open(path, O_RDONLY)
    guard fd >= 0 else { throw RecordFormatError("cannot open \(path): \(String(cString: strerror(errno)))") }
    defer { close(fd) }
    var buffer = [UInt8](repeating: 0, count: 1 << 20)
    while true {
        let n = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
        if n < 0 { throw RecordFormatError("cannot read \(path): \(String(cString: strerror(errno)))") }
        if n == 0 { return }
        try buffer.withUnsafeBytes { try body(UnsafeRawBufferPointer(rebasing: $0[0..<n])) }
    }
}

private extension Error {
    var message: String { (self as? RecordFormatError)?.message ?? "\(self)" }
}
