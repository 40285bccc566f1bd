public import LedgerCore
public import LMDB
internal import Crypto
#if canImport(Glibc)
import Glibc
#endif

/// One side's ledger: the append-only, hash-chained log in an LMDB environment, with its
/// idempotency index, stream chains, domain state and node key.
///
/// Every append runs in one LMDB write transaction: validation, the records, the chains and the
/// state all commit together or not at all. LMDB's lock serialises writers across processes.
public final class Ledger: @unchecked Sendable {
    public static let formatVersion = "doppelledger/1"

    public let directory: String
    public let env: Environment
    public let context: LedgerContext
    public let policy: any LedgerPolicy
    /// The node's Ed25519 public key (hex), pinned by the other side and by auditors.
    public let publicKeyHex: String

    let log: Database
    let keys: Database
    let streams: Database
    let streamLog: Database
    let meta: Database
    let state: Database
    private let writerLock = Lock()
    private var writer = CanonicalWriter(capacity: 1024)
    /// Queries that read scattered pages (budget views), counted to hand the map's pages back
    /// now and then (see ``budget(sozialraum:year:quarter:asOf:)``).
    let scatteredReads = Tally()

    public var name: LedgerName { context.name }

    // MARK: - Opening

    /// Creates a new ledger in `directory` (which must not exist or be empty) with a fresh node key.
    @discardableResult
    public static func create(at directory: String, side: Side, org: String, jugendamt: String?,
                              policy: any LedgerPolicy, options: Environment.Options = .init()) throws -> Ledger {
        guard Identifier.isValid(org) else {
            throw LedgerError.usage("--org must be an id (\(Identifier.rule)), got \"\(org)\"")
        }
        if let jugendamt, !Identifier.isValid(jugendamt) {
            throw LedgerError.usage("--jugendamt must be an id (\(Identifier.rule)), got \"\(jugendamt)\"")
        }
        if side == .jugendamt, jugendamt != nil {
            throw LedgerError.usage("--jugendamt is for a Träger's ledger only")
        }
        try FileSystem.makeEmptyDirectory(directory)
        let key = Curve25519.Signing.PrivateKey()
        try FileSystem.write(hex(key.rawRepresentation) + "\n", to: directory + "/node.key", mode: 0o600)
        try FileSystem.write(hex(key.publicKey.rawRepresentation) + "\n", to: directory + "/node.pub", mode: 0o644)
        let env = try openEnvironment(directory, options)
        let meta = try env.openDatabase("meta")
        try env.write { txn in
            try txn.put(meta, "format".lmdbKey, Array(formatVersion.utf8))
            try txn.put(meta, "ledger".lmdbKey, Array(LedgerName(side: side, org: org).description.utf8))
            if let jugendamt { try txn.put(meta, "jugendamt".lmdbKey, Array(jugendamt.utf8)) }
        }
        return try Ledger(directory: directory, env: env, policy: policy, creating: true)
    }

    /// Opens an existing ledger.
    public static func open(at directory: String, policy: any LedgerPolicy, options: Environment.Options = .init()) throws -> Ledger {
        guard FileSystem.exists(directory + "/data.mdb") else { throw LedgerError.notALedger(directory) }
        if let problem = dataFileProblem(directory) {
            throw LedgerError.storage("the data file at \(directory) is damaged (\(problem)); restore it from a backup")
        }
        let env = try openEnvironment(directory, options)
        return try Ledger(directory: directory, env: env, policy: policy)
    }

    private static func openEnvironment(_ directory: String, _ options: Environment.Options) throws -> Environment {
        do { return try Environment(path: directory, options: options) } catch { throw LedgerError.from(error, path: directory) }
    }

    private init(directory: String, env: Environment, policy: any LedgerPolicy, creating: Bool = false) throws {
        self.directory = directory
        self.env = env
        self.policy = policy
        // An existing ledger's databases are opened, never created: a damaged data file in which
        // LMDB finds no databases must be refused, not written over with empty ones.
        func damaged(_ what: String) -> LedgerError {
            .storage("the data file at \(directory) is damaged (\(what)); restore it from a backup")
        }
        let metaDB: Database
        do {
            metaDB = try env.openDatabase("meta", create: creating)
        } catch let error as LMDBError where error == .notFound {
            throw damaged("it holds no ledger header")
        } catch let error as LMDBError {
            throw LedgerError.from(error, path: directory)
        }
        let (format, ledger, jugendamt) = try env.read { txn in
            (try txn.get(metaDB, "format".lmdbKey).map { String(decoding: $0, as: UTF8.self) },
             try txn.get(metaDB, "ledger".lmdbKey).map { String(decoding: $0, as: UTF8.self) },
             try txn.get(metaDB, "jugendamt".lmdbKey).map { String(decoding: $0, as: UTF8.self) })
        }
        guard let format else { throw damaged("its format marker is missing") }
        if format != Self.formatVersion {
            // Our marker with a byte or two changed is damage; anything else is another program's file.
            let ours = Array(Self.formatVersion.utf8), found = Array(format.utf8)
            let differing = found.count == ours.count ? zip(found, ours).filter { $0 != $1 }.count : Int.max
            guard differing <= 2 || format.hasPrefix("doppelledger/") else { throw LedgerError.notALedger(directory) }
            throw damaged("its format marker reads \"\(String(decoding: found.prefix(40).map { $0 < 0x20 || $0 > 0x7E ? 0x3F : $0 }, as: UTF8.self))\", expected \(Self.formatVersion)")
        }
        guard let ledger, let name = LedgerName(ledger) else { throw damaged("its ledger name is unreadable") }
        do {
            meta = metaDB
            log = try env.openDatabase("log", create: creating)
            keys = try env.openDatabase("keys", create: creating)
            streams = try env.openDatabase("streams", create: creating)
            streamLog = try env.openDatabase("streamlog", create: creating)
            state = try env.openDatabase("state", create: creating)
        } catch let error as LMDBError where error == .notFound {
            throw damaged("one of its databases is missing")
        } catch let error as LMDBError {
            throw LedgerError.from(error, path: directory)
        }
        context = LedgerContext(name: name, jugendamt: jugendamt)
        publicKeyHex = (try? FileSystem.read(directory + "/node.pub"))?.trimmingWhitespace() ?? ""
    }

    // MARK: - Head

    /// The last record's position: `seq` 0 and 64 zeros for an empty ledger.
    public struct Head: Equatable, Sendable {
        public var seq: UInt64
        public var hash: Digest32
        public var recordedAt: Timestamp
    }

    /// The current head.
    public func head() throws -> Head {
        try env.read { txn in try head(txn) }
    }

    func head(_ txn: Transaction) throws -> Head {
        guard let raw = try txn.get(meta, "head".lmdbKey), raw.count == 48 else {
            return Head(seq: 0, hash: .zero, recordedAt: Timestamp(seconds: Int64.min))
        }
        return Head(seq: UInt64(littleEndian: raw.loadUnaligned(as: UInt64.self)),
                    hash: Digest32(bytes: UnsafeRawBufferPointer(rebasing: raw[8..<40])),
                    recordedAt: Timestamp(seconds: Int64(littleEndian: raw.loadUnaligned(fromByteOffset: 40, as: Int64.self))))
    }

    static func encodeHead(_ h: Head) -> [UInt8] {
        var out = [UInt8]()
        out.reserveCapacity(48)
        withUnsafeBytes(of: h.seq.littleEndian) { out.append(contentsOf: $0) }
        out.append(contentsOf: h.hash.bytes)
        withUnsafeBytes(of: h.recordedAt.seconds.littleEndian) { out.append(contentsOf: $0) }
        return out
    }

    // MARK: - Appending

    /// What an append did with one event.
    public struct Outcome: Equatable, Sendable {
        /// The record: newly appended, or the stored one when the key was used before with the same content.
        public var record: Record
        /// Whether the record is new (false: an idempotent repeat, nothing appended).
        public var isNew: Bool
        /// Accepted but worth saying (hours beyond the grant, …).
        public var warnings: [String]

        public init(record: Record, isNew: Bool, warnings: [String] = []) {
            self.record = record
            self.isNew = isNew
            self.warnings = warnings
        }
    }

    /// Appends `events` atomically: all of them or, on any refusal, none.
    ///
    /// Each event is validated against the state as left by the events before it. A key used
    /// before with the same content answers the stored record; with other content it is refused.
    /// `recordedAt` of an event is honoured only when `preserveRecordedAt` is set.
    public func append(_ events: [NewEvent], preserveRecordedAt: Bool = false, now: Timestamp = .now()) throws -> [Outcome] {
        try writerLock.withLock {
            do {
                return try env.write { txn in
                    try appendInTransaction(events, txn: txn, preserveRecordedAt: preserveRecordedAt, now: now)
                }
            } catch let error as LMDBError {
                throw LedgerError.from(error, path: directory)
            }
        }
    }

    /// Appends one event. See ``append(_:preserveRecordedAt:now:)``.
    public func append(_ event: NewEvent) throws -> Outcome {
        try append([event])[0]
    }

    private func appendInTransaction(_ events: [NewEvent], txn: Transaction, preserveRecordedAt: Bool, now: Timestamp) throws -> [Outcome] {
        try requireViewsReady(txn)
        var head = try head(txn)
        // Made an existential once: the struct is too large to sit inline, so passing it as
        // `any StateAccess` for every admit and apply would box it twice per event.
        let stateAccess: any StateAccess = LMDBState(txn: txn, db: state)
        var streamHeads: [String: (seq: UInt64, hash: Digest32)] = [:]
        var outcomes: [Outcome] = []
        outcomes.reserveCapacity(events.count)
        let ledgerName = context.name.description
        var scratch: [UInt8] = []
        scratch.reserveCapacity(96)
        for (index, event) in events.enumerated() {
            guard Identifier.isValid(event.key) else {
                throw LedgerError.invalid(index: index, ValidationError(field: "key", "key must be an id (\(Identifier.rule)), got \"\(event.key)\""))
            }
            if let actor = event.actor, !Identifier.isValid(actor) {
                throw LedgerError.invalid(index: index, ValidationError(field: "actor", "actor must be a pseudonymous id (\(Identifier.rule)), got \"\(actor)\""))
            }
            if let existing = try withUTF8(event.key, { try txn.get(keys, $0) }) {
                let seq = UInt64(littleEndian: existing.loadUnaligned(as: UInt64.self))
                guard let value = try txn.get(log, BigEndianKey(seq)) else {
                    throw LedgerError.storage("idempotency index points at missing record \(seq)")
                }
                let stored = try StoredRecord.decode(value)
                let candidate = Record(seq: 0, recordedAt: now, ledger: "", stream: "", streamSeq: 0, type: event.type,
                                       key: event.key, actor: event.actor, data: event.data, prev: .zero, streamPrev: .zero)
                guard stored.sameContent(as: candidate) else { throw LedgerError.keyConflict(key: event.key, seq: seq) }
                outcomes.append(Outcome(record: stored, isNew: false))
                continue
            }
            let admission: Admission
            do {
                admission = try policy.admit(event, on: context, state: stateAccess)
            } catch let error as ValidationError {
                throw LedgerError.invalid(index: index, error)
            }
            let stream = admission.stream
            var recordedAt = max(now, head.recordedAt)
            if preserveRecordedAt, let given = event.recordedAt {
                if given < head.recordedAt {
                    throw LedgerError.recordedAt(index: index, "recordedAt \(given) is earlier than the ledger's last record (\(head.recordedAt)); history must not go backwards")
                }
                if given > now {
                    throw LedgerError.recordedAt(index: index, "recordedAt \(given) lies in the future")
                }
                recordedAt = given
            }
            let streamHead: (seq: UInt64, hash: Digest32)
            if let cached = streamHeads[stream] {
                streamHead = cached
            } else if let raw = try withUTF8(stream, { try txn.get(streams, $0) }), raw.count == 40 {
                streamHead = (UInt64(littleEndian: raw.loadUnaligned(as: UInt64.self)),
                              Digest32(bytes: UnsafeRawBufferPointer(rebasing: raw[8...])))
            } else {
                streamHead = (0, .zero)
            }
            var record = Record(seq: head.seq + 1, recordedAt: recordedAt, ledger: ledgerName, stream: stream,
                                streamSeq: streamHead.seq + 1, type: event.type, key: event.key, actor: event.actor,
                                data: event.data, prev: head.hash, streamPrev: streamHead.hash)
            StoredRecord.encode(&record, into: &writer)
            let seqKey = BigEndianKey(record.seq)
            try writer.bytes.withUnsafeBytes { value in
                try seqKey.withUnsafeBytes { k in try txn.put(log, k, value, append: true) }
            }
            try withUTF8(event.key) { key in
                try withUnsafeBytes(of: record.seq.littleEndian) { seqBytes in
                    try txn.put(keys, key, seqBytes, noOverwrite: true)
                }
            }
            Self.streamLogKey(stream, record.streamSeq, into: &scratch)
            try scratch.withUnsafeBytes { k in
                try seqKey.withUnsafeBytes { v in try txn.put(streamLog, k, v) }
            }
            streamHeads[stream] = (record.streamSeq, record.hash)
            try policy.apply(record, admission, on: context, state: stateAccess)
            head = Head(seq: record.seq, hash: record.hash, recordedAt: record.recordedAt)
            outcomes.append(Outcome(record: record, isNew: true, warnings: admission.warnings))
        }
        try policy.finish(on: context, state: stateAccess)
        for (stream, h) in streamHeads {
            var value = [UInt8]()
            withUnsafeBytes(of: h.seq.littleEndian) { value.append(contentsOf: $0) }
            value.append(contentsOf: h.hash.bytes)
            try txn.put(streams, Array(stream.utf8), value)
        }
        try txn.put(meta, "head".lmdbKey, Self.encodeHead(head))
        return outcomes
    }

    /// The `streamlog` key: the stream's name, a zero byte, `streamSeq` big-endian.
    static func streamLogKey(_ stream: String, _ streamSeq: UInt64, into key: inout [UInt8]) {
        key.removeAll(keepingCapacity: true)
        key.append(contentsOf: stream.utf8)
        key.append(0)
        withUnsafeBytes(of: streamSeq.bigEndian) { key.append(contentsOf: $0) }
    }

    static func streamLogKey(_ stream: String, _ streamSeq: UInt64) -> [UInt8] {
        var key = Array(stream.utf8)
        key.append(0)
        withUnsafeBytes(of: streamSeq.bigEndian) { key.append(contentsOf: $0) }
        return key
    }

    // MARK: - Reading

    /// The record with `seq`, or `nil`.
    public func record(seq: UInt64) throws -> Record? {
        try env.read { txn in
            try txn.get(log, BigEndianKey(seq)).map { try StoredRecord.decode($0) }
        }
    }

    /// The record appended under idempotency `key`, or `nil`.
    public func record(key: String) throws -> Record? {
        try env.read { txn in
            guard let raw = try txn.get(keys, Array(key.utf8)) else { return nil }
            let seq = UInt64(littleEndian: raw.loadUnaligned(as: UInt64.self))
            return try txn.get(log, BigEndianKey(seq)).map { try StoredRecord.decode($0) }
        }
    }

    /// The highest `seq` recorded at or before `asOf` (0 when none): a binary search, since
    /// `recordedAt` never goes backwards.
    public func lastSeq(asOf: Timestamp, txn: Transaction) throws -> UInt64 {
        let head = try head(txn)
        if head.seq == 0 || head.recordedAt <= asOf { return head.seq }
        var lo: UInt64 = 0, hi = head.seq // invariant: record lo is ≤ asOf (or lo = 0), record hi is > asOf
        while hi - lo > 1 {
            let mid = lo + (hi - lo) / 2
            guard let value = try txn.get(log, BigEndianKey(mid)), StoredRecord.isWellFormed(value) else {
                throw LedgerError.storage("record \(mid) is missing or damaged; run 'doppelledger verify'")
            }
            if StoredRecord.recordedAt(value) <= asOf { lo = mid } else { hi = mid }
        }
        return lo
    }

    /// Visits stored records in `seq` order (optionally of one stream, from `fromSeq`, up to
    /// `asOf`), handing each one's stored bytes to `body` inside one read transaction.
    /// Return false from `body` to stop.
    ///
    /// A pass over a large log would keep every page it read resident: every 8,192 records the
    /// map's pages are handed back (they stay in the page cache; the bytes handed to `body` are
    /// mapped in again when read), so memory does not grow with the log. Often: the log's pages
    /// lie between state and view pages, and each fault also maps the cached neighbours in its
    /// 64 KiB block, about 8 times the log's own bytes.
    public func scan(stream: String? = nil, fromSeq: UInt64 = 1, asOf: Timestamp? = nil,
                     _ body: (UInt64, UnsafeRawBufferPointer) throws -> Bool) throws {
        var visited = 0
        func visit(_ seq: UInt64, _ value: UnsafeRawBufferPointer) throws -> Bool {
            visited += 1
            if visited % 8_192 == 0, let p = value.baseAddress { env.releaseResidentPages(of: p) }
            return try body(seq, value)
        }
        try env.read { txn in
            let limit = try asOf.map { try lastSeq(asOf: $0, txn: txn) } ?? UInt64.max
            if let stream {
                let prefix = Array(stream.utf8) + [0]
                try txn.withCursor(streamLog) { cursor in
                    var entry = try cursor.seek(atLeast: prefix)
                    while let (k, v) = entry, k.count == prefix.count + 8, k.starts(with: prefix) {
                        let seq = UInt64(bigEndian: v.loadUnaligned(as: UInt64.self))
                        if seq > limit { break }
                        if seq >= fromSeq {
                            guard let value = try txn.get(log, BigEndianKey(seq)) else {
                                throw LedgerError.storage("stream index points at missing record \(seq)")
                            }
                            if try !visit(seq, value) { break }
                        }
                        entry = try cursor.next()
                    }
                }
            } else {
                try txn.withCursor(log) { cursor in
                    var entry = try cursor.seek(atLeast: BigEndianKey(max(fromSeq, 1)))
                    while let (k, v) = entry {
                        guard let seq = BigEndianKey(k)?.value else { throw LedgerError.storage("log key of wrong size") }
                        if seq > limit { break }
                        if try !visit(seq, v) { break }
                        entry = try cursor.next()
                    }
                }
            }
        }
    }

    /// Writes export lines (canonical JSON records) to `sink` in chunks of about 1 MiB.
    public func export(stream: String? = nil, fromSeq: UInt64 = 1, asOf: Timestamp? = nil,
                       to sink: (UnsafeRawBufferPointer) throws -> Void) throws -> Int {
        var buffer = [UInt8]()
        buffer.reserveCapacity(1 << 20 + 4096)
        var count = 0
        try scan(stream: stream, fromSeq: fromSeq, asOf: asOf) { seq, value in
            guard StoredRecord.isWellFormed(value) else {
                throw LedgerError.storage("record \(seq) is damaged; run 'doppelledger verify'")
            }
            StoredRecord.appendLine(value, to: &buffer)
            count += 1
            if buffer.count >= 1 << 20 {
                try buffer.withUnsafeBytes(sink)
                buffer.removeAll(keepingCapacity: true)
            }
            return true
        }
        if !buffer.isEmpty { try buffer.withUnsafeBytes(sink) }
        return count
    }

    // MARK: - State

    /// Runs `body` with read access to the policy's state (for queries and views).
    public func readState<R>(_ body: (any StateAccess) throws -> R) throws -> R {
        try env.read { txn in try body(LMDBState(txn: txn, db: state)) }
    }

    // MARK: - Signing

    /// The head, signed with the node's Ed25519 key.
    public func signedHead() throws -> SignedHead {
        let h = try head()
        let key = try signingKey()
        var head = SignedHead(ledger: name.description, seq: h.seq, hash: h.hash,
                              recordedAt: h.seq == 0 ? nil : h.recordedAt, publicKey: publicKeyHex, signature: "")
        head.signature = hex(try key.signature(for: head.signedBytes))
        return head
    }

    /// Signs arbitrary bytes (a reconciliation report) with the node key; hex.
    public func sign(_ bytes: [UInt8]) throws -> String {
        hex(try signingKey().signature(for: bytes))
    }

    private func signingKey() throws -> Curve25519.Signing.PrivateKey {
        let path = directory + "/node.key"
        guard let text = try? FileSystem.read(path), let raw = unhex(text.trimmingWhitespace()),
              let key = try? Curve25519.Signing.PrivateKey(rawRepresentation: raw) else {
            throw LedgerError.storage("cannot read the node key at \(path) (it must be readable by this user only)")
        }
        return key
    }
}

/// A ledger head signed by its node: what the other side and auditors pin and compare.
public struct SignedHead: Equatable, Sendable {
    public var ledger: String
    public var seq: UInt64
    public var hash: Digest32
    public var recordedAt: Timestamp?
    public var publicKey: String
    public var signature: String

    /// The signed message: canonical JSON of `{hash, ledger, seq}`.
    public var signedBytes: [UInt8] {
        CanonicalWriter.encode(["hash": .string(hash.hex), "ledger": .string(ledger), "seq": .int(Int64(seq))])
    }

    public var json: JSON {
        var o = JSONObject([("ledger", .string(ledger)), ("seq", .int(Int64(seq))), ("hash", .string(hash.hex)),
                            ("publicKey", .string(publicKey)), ("signature", .string(signature))])
        if let recordedAt { o["recordedAt"] = .string(recordedAt.description) }
        return .object(o)
    }

    public init(ledger: String, seq: UInt64, hash: Digest32, recordedAt: Timestamp?, publicKey: String, signature: String) {
        self.ledger = ledger
        self.seq = seq
        self.hash = hash
        self.recordedAt = recordedAt
        self.publicKey = publicKey
        self.signature = signature
    }

    public init(json: JSON) throws {
        guard let o = json.object, let ledger = o["ledger"]?.string, let seq = o["seq"]?.int, seq >= 0,
              let hashText = o["hash"]?.string, let hash = Digest32(hex: hashText),
              let pk = o["publicKey"]?.string, let sig = o["signature"]?.string else {
            throw LedgerError.usage("a signed head needs ledger, seq, hash, publicKey and signature")
        }
        self.init(ledger: ledger, seq: UInt64(seq), hash: hash,
                  recordedAt: o["recordedAt"]?.string.flatMap { Timestamp(rfc3339: $0) }, publicKey: pk, signature: sig)
    }

    /// Whether the signature is valid for `publicKeyHex` (the pinned key).
    public func isValid(publicKeyHex: String) -> Bool {
        guard let raw = unhex(publicKeyHex), let key = try? Curve25519.Signing.PublicKey(rawRepresentation: raw),
              let sig = unhex(signature) else { return false }
        return key.isValidSignature(sig, for: signedBytes)
    }
}

/// Whether `signatureHex` is `publicKeyHex`'s Ed25519 signature of `message`.
public func verifySignature(_ signatureHex: String, of message: [UInt8], publicKeyHex: String) -> Bool {
    guard let raw = unhex(publicKeyHex), let key = try? Curve25519.Signing.PublicKey(rawRepresentation: raw),
          let sig = unhex(signatureHex) else { return false }
    return key.isValidSignature(sig, for: message)
}

/// Runs `body` with the UTF-8 bytes of `text`, without copying them into an array.
@inline(__always)
func withUTF8<R>(_ text: String, _ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
    var text = text
    return try text.withUTF8 { try body(UnsafeRawBufferPointer($0)) }
}

func hex<D: Sequence>(_ bytes: D) -> String where D.Element == UInt8 {
    var out = [UInt8]()
    for b in bytes {
        out.append(Hex.digits[Int(b >> 4)])
        out.append(Hex.digits[Int(b & 0xF)])
    }
    return String(decoding: out, as: UTF8.self)
}

func unhex(_ text: String) -> [UInt8]? {
    let u = Array(text.utf8)
    guard u.count % 2 == 0 else { return nil }
    var out = [UInt8]()
    out.reserveCapacity(u.count / 2)
    var i = 0
    while i < u.count {
        guard let hi = Digest32.nibble(u[i]), let lo = Digest32.nibble(u[i + 1]) else { return nil }
        out.append(hi << 4 | lo)
        i += 2
    }
    return out
}

/// The policy's state inside a transaction.
struct LMDBState: StateAccess {
    let txn: Transaction
    let db: Database
    let scratch = TransactionScratch()

    func last(prefix: [UInt8], atMost key: [UInt8]) throws -> (key: [UInt8], value: [UInt8])? {
        try txn.withCursor(db) { cursor in
            var entry = try cursor.seek(atLeast: key)
            if let (k, v) = entry, k.elementsEqual(key) { return (Array(k), Array(v)) }
            entry = entry == nil ? try cursor.last() : try cursor.previous()
            guard let (k, v) = entry, k.starts(with: prefix) else { return nil }
            return (Array(k), Array(v))
        }
    }

    func first(prefix: [UInt8], atLeast key: [UInt8]) throws -> (key: [UInt8], value: [UInt8])? {
        try txn.withCursor(db) { cursor in
            guard let (k, v) = try cursor.seek(atLeast: key), k.starts(with: prefix) else { return nil }
            return (Array(k), Array(v))
        }
    }

    func get(_ key: [UInt8]) throws -> [UInt8]? {
        try key.withUnsafeBytes { k in try txn.get(db, k).map { Array($0) } }
    }

    func put(_ key: [UInt8], _ value: [UInt8]) throws {
        try key.withUnsafeBytes { k in try value.withUnsafeBytes { v in try txn.put(db, k, v) } }
    }

    func delete(_ key: [UInt8]) throws {
        try txn.delete(db, key)
    }

    func scan(prefix: [UInt8], _ body: ([UInt8], [UInt8]) throws -> Bool) throws {
        try txn.withCursor(db) { cursor in
            var entry = prefix.isEmpty ? try cursor.first() : try cursor.seek(atLeast: prefix)
            while let (k, v) = entry, k.starts(with: prefix) {
                if try !body(Array(k), Array(v)) { break }
                entry = try cursor.next()
            }
        }
    }
}
