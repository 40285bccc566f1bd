public import LedgerCore
public import LMDB
import Foundation

/// Why a mirror refused records or could not be opened.
public enum MirrorError: Error, CustomStringConvertible, Equatable {
    /// The peer's history changed: a record at a mirrored position differs, or its chain does not
    /// continue from the mirror's head. Nothing was changed.
    case fork(String)
    /// The folder holds no mirror, or a mirror of another peer or stream.
    case notAMirror(String)

    public var description: String {
        switch self {
        case .fork(let m): m
        case .notAMirror(let m): m
        }
    }
}

/// A verified copy of one counterparty's stream, kept beside the own ledger in
/// `DIR/mirrors/<peer ledger>/` (its own LMDB environment).
///
/// Records are stored verbatim as their canonical export lines, keyed by the peer's `streamSeq`,
/// so the mirror exports exactly what the peer's node served (and what its hashes cover). A
/// mirror only grows: records already mirrored must come back identical, and new ones must chain
/// from the mirror's head, or the whole batch is refused and the mirror stays as it was.
public final class MirrorStore: @unchecked Sendable {
    public static let formatVersion = "doppelledger-mirror/1"
    /// The marker file that says a folder is a mirror (and of whom), readable without LMDB.
    public static let markerFile = "mirror.json"

    public let directory: String
    /// The peer's ledger name, e.g. `traeger:caritas`.
    public let peer: String
    /// The stream mirrored: the peer's stream concerning us (our own ledger name).
    public let stream: String

    let env: Environment
    let meta: Database
    let records: Database
    private let writeLock = Lock()

    /// The mirror folder of `peer` beside the ledger in `ledgerDirectory`.
    public static func directory(ledgerDirectory: String, peer: String) -> String {
        ledgerDirectory + "/mirrors/" + peer
    }

    /// Whether `directory` holds a mirror.
    public static func isMirror(_ directory: String) -> Bool {
        FileSystem.exists(directory + "/" + markerFile)
    }

    /// Opens the mirror in `directory`, creating it when `create` is set and it does not exist.
    /// `peer` and `stream`, when given, must match what the mirror holds.
    public static func open(at directory: String, peer: String? = nil, stream: String? = nil, create: Bool = false,
                            options: Environment.Options = .init()) throws -> MirrorStore {
        if !isMirror(directory) {
            guard create, let peer, let stream else { throw MirrorError.notAMirror("\(directory) is not a mirror of a peer's stream") }
            try FileSystem.makeEmptyDirectory(directory)
            let marker = CanonicalWriter.string(["format": .string(formatVersion), "peer": .string(peer), "stream": .string(stream)])
            let env = try openEnvironment(directory, options)
            let meta = try env.openDatabase("meta")
            try env.write { txn in
                try txn.put(meta, "format".lmdbKey, Array(formatVersion.utf8))
                try txn.put(meta, "peer".lmdbKey, Array(peer.utf8))
                try txn.put(meta, "stream".lmdbKey, Array(stream.utf8))
            }
            try FileSystem.write(marker + "\n", to: directory + "/" + markerFile, mode: 0o644)
            return try MirrorStore(directory: directory, env: env, expectedPeer: peer, expectedStream: stream)
        }
        return try MirrorStore(directory: directory, env: try openEnvironment(directory, options), expectedPeer: peer, expectedStream: stream)
    }

    private static func openEnvironment(_ directory: String, _ options: Environment.Options) throws -> Environment {
        do { return try Environment(path: directory, options: options) } catch { throw LedgerError.from(error, path: directory) }
    }

    private init(directory: String, env: Environment, expectedPeer: String?, expectedStream: String?) throws {
        self.directory = directory
        self.env = env
        do {
            meta = try env.openDatabase("meta")
            records = try env.openDatabase("records")
        } catch let error as LMDBError {
            throw LedgerError.from(error, path: directory)
        }
        let metaDB = meta
        let (format, peer, stream) = try env.read { txn in
            (try txn.get(metaDB, "format".lmdbKey).map { String(decoding: $0, as: UTF8.self) },
             try txn.get(metaDB, "peer".lmdbKey).map { String(decoding: $0, as: UTF8.self) },
             try txn.get(metaDB, "stream".lmdbKey).map { String(decoding: $0, as: UTF8.self) })
        }
        guard format == Self.formatVersion, let peer, let stream else {
            throw MirrorError.notAMirror("\(directory) is not a mirror of a peer's stream")
        }
        if let expectedPeer, expectedPeer != peer {
            throw MirrorError.notAMirror("\(directory) mirrors \(peer), not \(expectedPeer)")
        }
        if let expectedStream, expectedStream != stream {
            throw MirrorError.notAMirror("\(directory) mirrors stream \(stream), not \(expectedStream)")
        }
        self.peer = peer
        self.stream = stream
    }

    /// The mirror's last record: its position in the stream and in the peer's ledger, and its hash.
    public struct Head: Equatable, Sendable {
        public var streamSeq: UInt64
        public var seq: UInt64
        public var hash: Digest32
        public static let empty = Head(streamSeq: 0, seq: 0, hash: .zero)
    }

    public func head() throws -> Head {
        try env.read { txn in try head(txn) }
    }

    private func head(_ txn: Transaction) throws -> Head {
        guard let raw = try txn.get(meta, "head".lmdbKey), raw.count == 48 else { return .empty }
        return Head(streamSeq: UInt64(littleEndian: raw.loadUnaligned(as: UInt64.self)),
                    seq: UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: 8, as: UInt64.self)),
                    hash: Digest32(bytes: UnsafeRawBufferPointer(rebasing: raw[16..<48])))
    }

    /// The mirrored record at `streamSeq`, or `nil`.
    public func record(streamSeq: UInt64) throws -> Record? {
        try env.read { txn in
            try txn.get(records, BigEndianKey(streamSeq)).map { try Record(line: $0) }
        }
    }

    /// The peer's signed stream head that vouched for the last sync, if any.
    public func signedHead() throws -> SignedStreamHead? {
        let text: String? = try env.read { txn in
            try txn.get(meta, "signedHead".lmdbKey).map { String(decoding: $0, as: UTF8.self) }
        }
        guard let text else { return nil }
        return try SignedStreamHead(json: try JSONParser.parse(text))
    }

    /// Adds `batch` (verified records of the peer's stream, in order) and the signed head that
    /// vouches for them, in one transaction. Records already mirrored must be identical; new ones
    /// must continue the chain from the head. Otherwise throws ``MirrorError/fork(_:)`` and
    /// changes nothing. Returns how many records were new.
    @discardableResult
    public func append(_ batch: [Record], signedHead: SignedStreamHead) throws -> Int {
        try writeLock.withLock {
            do {
                return try env.write { txn in
                    var head = try head(txn)
                    var added = 0
                    for record in batch {
                        guard record.ledger == peer, record.stream == stream else {
                            throw MirrorError.fork("record \(record.seq) belongs to \(record.ledger) stream \(record.stream), not \(peer) stream \(stream)")
                        }
                        let line = Array(record.canonicalLine.utf8)
                        if record.streamSeq <= head.streamSeq {
                            guard let stored = try txn.get(records, BigEndianKey(record.streamSeq)) else {
                                throw LedgerError.storage("mirror \(directory) lacks its record \(record.streamSeq); restore it from a backup")
                            }
                            guard stored.elementsEqual(line) else {
                                throw MirrorError.fork("\(peer) changed its history: its record at streamSeq \(record.streamSeq) (seq \(record.seq)) differs from the mirrored one")
                            }
                            continue
                        }
                        guard record.streamSeq == head.streamSeq + 1 else {
                            throw MirrorError.fork("\(peer)'s stream jumps from streamSeq \(head.streamSeq) to \(record.streamSeq): records are missing")
                        }
                        guard record.streamPrev == head.hash, record.seq > head.seq else {
                            throw MirrorError.fork("\(peer) changed its history: record \(record.seq) does not continue the mirrored chain at streamSeq \(head.streamSeq)")
                        }
                        guard record.hash == record.computeHash() else {
                            throw MirrorError.fork("record \(record.seq) of \(peer) does not match its hash: it was altered")
                        }
                        try txn.put(records, BigEndianKey(record.streamSeq), line, append: true)
                        head = Head(streamSeq: record.streamSeq, seq: record.seq, hash: record.hash)
                        added += 1
                    }
                    if signedHead.streamSeq == head.streamSeq {
                        guard signedHead.hash == head.hash else {
                            throw MirrorError.fork("\(peer)'s signed head at streamSeq \(signedHead.streamSeq) does not match the mirrored record")
                        }
                        try txn.put(meta, "signedHead".lmdbKey, Array(CanonicalWriter.string(signedHead.json).utf8))
                    }
                    var value = [UInt8]()
                    withUnsafeBytes(of: head.streamSeq.littleEndian) { value.append(contentsOf: $0) }
                    withUnsafeBytes(of: head.seq.littleEndian) { value.append(contentsOf: $0) }
                    value.append(contentsOf: head.hash.bytes)
                    try txn.put(meta, "head".lmdbKey, value)
                    return added
                }
            } catch let error as LMDBError {
                throw LedgerError.from(error, path: directory)
            }
        }
    }

    /// Writes the mirrored records as JSON Lines (exactly the peer's export lines of the stream),
    /// from `fromStreamSeq` on, in chunks of about 1 MiB. Returns how many.
    public func export(fromStreamSeq: UInt64 = 1, to sink: (UnsafeRawBufferPointer) throws -> Void) throws -> Int {
        var buffer = [UInt8]()
        buffer.reserveCapacity(1 << 20 + 4096)
        var count = 0
        try env.read { txn in
            try txn.withCursor(records) { cursor in
                var entry = try cursor.seek(atLeast: BigEndianKey(max(fromStreamSeq, 1)))
                while let (_, value) = entry {
                    buffer.append(contentsOf: value)
                    buffer.append(0x0A)
                    count += 1
                    if buffer.count >= 1 << 20 {
                        try buffer.withUnsafeBytes(sink)
                        buffer.removeAll(keepingCapacity: true)
                    }
                    entry = try cursor.next()
                }
            }
        }
        if !buffer.isEmpty { try buffer.withUnsafeBytes(sink) }
        return count
    }
}
