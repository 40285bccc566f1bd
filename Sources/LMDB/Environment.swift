internal import CLMDB
#if canImport(Glibc)
import Glibc
#endif

/// An LMDB environment: one memory-mapped data file with named databases.
///
/// Open it once per process and share it. Write transactions are serialised by LMDB's own lock,
/// across threads and processes. Transactions are scoped closures: ``write(_:)`` commits when the
/// closure returns and aborts when it throws; ``read(_:)`` never writes.
public final class Environment: @unchecked Sendable {
    /// Options for opening an environment.
    public struct Options: Sendable {
        /// Initial map size: address space, not disk. Grown on demand.
        public var mapSizeBytes: Int = 1 << 30
        /// The largest map this process will grow to.
        public var mapSizeBytesMax: Int = 1 << 40
        /// How many named databases may be opened.
        public var maxDatabases: UInt32 = 32
        /// How many concurrent readers (threads or processes).
        public var maxReaders: UInt32 = 256
        /// Skip fsync on commit (tests and benchmarks only: a crash may lose recent commits).
        public var noSync: Bool = false
        /// Open read-only (auditors): no lock file is written when the folder is read-only.
        public var readOnly: Bool = false

        public init() {}
    }

    let env: OpaquePointer
    public let path: String
    public let options: Options
    private let lock = Mutex()
    let residency = Residency()
    /// The data file LMDB maps.
    var dataFilePath: String { path + "/data.mdb" }
    /// This environment's slot in ``MapRegions`` (its map's address range, for crash handlers).
    private var mapSlot = -1

    /// Opens (and creates, unless read-only) the environment in the folder `path`.
    public init(path: String, options: Options = Options()) throws(LMDBError) {
        var handle: OpaquePointer?
        try check(mdb_env_create(&handle))
        guard let handle else { throw LMDBError(code: -1) }
        // Set up before storing the handle: once every property is set, a throw would run deinit,
        // which closes the handle a second time.
        do {
            _ = mdb_env_set_assert(handle, assertionTrampoline)
            try check(mdb_env_set_maxdbs(handle, options.maxDatabases))
            try check(mdb_env_set_maxreaders(handle, options.maxReaders))
            try check(mdb_env_set_mapsize(handle, options.mapSizeBytes))
            var flags = UInt32(MDB_NOTLS)
            if options.noSync { flags |= UInt32(MDB_NOSYNC) }
            if options.readOnly { flags |= UInt32(MDB_RDONLY) }
            try check(mdb_env_open(handle, path, flags, 0o600))
            // Another process may have grown the map beyond our request: adopt its size.
            try check(mdb_env_set_mapsize(handle, 0))
            // Free reader slots left behind by processes that died (killed CLI runs, crashed nodes).
            var dead: Int32 = 0
            _ = mdb_reader_check(handle, &dead)
        } catch {
            mdb_env_close(handle)
            throw error
        }
        self.env = handle
        self.path = path
        self.options = options
        mapSlot = MapRegions.record(file: dataFilePath, slot: -1)
    }

    deinit {
        MapRegions.remove(slot: mapSlot)
        mdb_env_close(env)
    }

    /// Opens a named database, creating it when `create` is set and the environment is not
    /// read-only (a missing database then throws ``LMDBError/notFound``).
    /// Call this once per database at start, before other transactions run.
    public func openDatabase(_ name: String, integerKeys: Bool = false, create: Bool = true) throws -> Database {
        var flags: UInt32 = options.readOnly || !create ? 0 : UInt32(MDB_CREATE)
        if integerKeys { flags |= UInt32(MDB_INTEGERKEY) }
        var dbi: MDB_dbi = 0
        // Committed even when read-only: aborting the transaction would close the new handle.
        try withRawTransaction(readOnly: options.readOnly, commit: true) { txn in
            try check(mdb_dbi_open(txn, name, flags, &dbi))
        }
        return Database(dbi: dbi, name: name)
    }

    /// Runs `body` in a read-only transaction, which sees one consistent snapshot.
    /// Values handed out inside point into the map: copy or decode them before returning.
    public func read<R>(_ body: (Transaction) throws -> R) throws -> R {
        var result: R?
        try withRawTransaction(readOnly: true) { txn in
            result = try body(Transaction(txn: txn, readOnly: true))
        }
        return result!
    }

    /// Runs `body` in a write transaction: commits when it returns, aborts when it throws.
    ///
    /// When the map is full, the transaction is aborted, the map grown and `body` run again:
    /// `body` must have no effects outside the transaction.
    public func write<R>(_ body: (Transaction) throws -> R) throws -> R {
        while true {
            do {
                var result: R?
                try withRawTransaction(readOnly: false) { txn in
                    result = try body(Transaction(txn: txn, readOnly: false))
                }
                return result!
            } catch let error as LMDBError where error == .mapFull {
                try growMap()
            }
        }
    }

    /// Doubles the map size, up to ``Options/mapSizeBytesMax``. Call only with no transaction active in this process.
    public func growMap() throws(LMDBError) {
        let current = info.mapSizeBytes
        guard current < options.mapSizeBytesMax else { throw LMDBError.mapFull }
        try check(mdb_env_set_mapsize(env, min(current * 2, options.mapSizeBytesMax)))
        mapSlot = MapRegions.record(file: dataFilePath, slot: mapSlot)
    }

    /// Flushes buffers to disk (needed after commits with ``Options/noSync``).
    public func sync() throws(LMDBError) {
        try check(mdb_env_sync(env, 1))
    }

    /// Writes a consistent copy of the environment into the (existing, empty) folder `path`.
    /// With `compact`, free pages are omitted and the copy renumbered. Runs beside ongoing writes.
    public func copy(to path: String, compact: Bool = true) throws(LMDBError) {
        try check(mdb_env_copy2(env, path, compact ? UInt32(MDB_CP_COMPACT) : 0))
    }

    /// Size and usage of the map.
    public var info: Info {
        var raw = MDB_envinfo()
        mdb_env_info(env, &raw)
        var stat = MDB_stat()
        mdb_env_stat(env, &stat)
        return Info(mapSizeBytes: raw.me_mapsize, lastPage: Int(raw.me_last_pgno),
                    pageSizeBytes: Int(stat.ms_psize), lastTransactionId: Int(raw.me_last_txnid))
    }

    /// Entries in a database, as `mdb_stat` reports them.
    public func count(_ db: Database) throws -> Int {
        try read { txn in try txn.count(db) }
    }

    /// Size and usage of the map.
    public struct Info: Sendable {
        public let mapSizeBytes: Int
        public let lastPage: Int
        public let pageSizeBytes: Int
        public let lastTransactionId: Int
        /// Bytes of the data file in use.
        public var usedBytes: Int { (lastPage + 1) * pageSizeBytes }
    }

    // MARK: - Raw transactions

    /// Runs `body` in a transaction. A write transaction commits when `body` returns; a read-only
    /// one is aborted unless `commit` is set (LMDB keeps handles from `mdb_dbi_open` only on commit).
    private func withRawTransaction(readOnly: Bool, commit: Bool = false, _ body: (OpaquePointer) throws -> Void) throws {
        var txn: OpaquePointer?
        var rc = mdb_txn_begin(env, nil, readOnly ? UInt32(MDB_RDONLY) : 0, &txn)
        if rc == MDB_MAP_RESIZED {
            // Another process grew the map: adopt the new size and try again.
            lock.withLock {
                _ = mdb_env_set_mapsize(env, 0)
                mapSlot = MapRegions.record(file: dataFilePath, slot: mapSlot)
            }
            rc = mdb_txn_begin(env, nil, readOnly ? UInt32(MDB_RDONLY) : 0, &txn)
        }
        try check(rc)
        guard let txn else { throw LMDBError(code: -1) }
        do {
            try body(txn)
        } catch {
            mdb_txn_abort(txn)
            throw error
        }
        if readOnly && !commit {
            mdb_txn_abort(txn)
        } else {
            try check(mdb_txn_commit(txn))
        }
    }
}

/// A tiny mutex over pthread, for the rare map-size adoption.
final class Mutex: @unchecked Sendable {
    private var mutex = pthread_mutex_t()
    init() { pthread_mutex_init(&mutex, nil) }
    deinit { pthread_mutex_destroy(&mutex) }
    func withLock<R>(_ body: () throws -> R) rethrows -> R {
        pthread_mutex_lock(&mutex)
        defer { pthread_mutex_unlock(&mutex) }
        return try body()
    }
}

/// A named database inside an environment. A plain handle: valid as long as the environment.
public struct Database: Sendable, Hashable {
    let dbi: UInt32
    public let name: String
}
