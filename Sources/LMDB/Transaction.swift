internal import CLMDB

/// A transaction handed to the closure of ``Environment/read(_:)`` or ``Environment/write(_:)``.
///
/// It is valid only inside that closure. Buffers it returns point into the memory map and are
/// valid only until the transaction ends: decode or copy them inside the closure.
public struct Transaction {
    let txn: OpaquePointer
    /// Whether this transaction may write.
    public let readOnly: Bool

    /// The value stored under `key`, or `nil`.
    @inline(__always)
    public func get(_ db: Database, _ key: UnsafeRawBufferPointer) throws(LMDBError) -> UnsafeRawBufferPointer? {
        var k = MDB_val(mv_size: key.count, mv_data: UnsafeMutableRawPointer(mutating: key.baseAddress))
        var v = MDB_val()
        let rc = mdb_get(txn, db.dbi, &k, &v)
        if rc == MDB_NOTFOUND { return nil }
        try check(rc)
        return UnsafeRawBufferPointer(start: v.mv_data, count: v.mv_size)
    }

    /// Stores `value` under `key`. With `noOverwrite`, an existing key throws ``LMDBError/keyExists``;
    /// with `append`, the key must sort after every existing key (fast bulk loading of logs).
    @inline(__always)
    public func put(_ db: Database, _ key: UnsafeRawBufferPointer, _ value: UnsafeRawBufferPointer,
                    noOverwrite: Bool = false, append: Bool = false) throws(LMDBError) {
        var k = MDB_val(mv_size: key.count, mv_data: UnsafeMutableRawPointer(mutating: key.baseAddress))
        var v = MDB_val(mv_size: value.count, mv_data: UnsafeMutableRawPointer(mutating: value.baseAddress))
        var flags: UInt32 = 0
        if noOverwrite { flags |= UInt32(MDB_NOOVERWRITE) }
        if append { flags |= UInt32(MDB_APPEND) }
        try check(mdb_put(txn, db.dbi, &k, &v, flags))
    }

    /// Removes `key`. Returns whether it existed.
    @discardableResult
    public func delete(_ db: Database, _ key: UnsafeRawBufferPointer) throws(LMDBError) -> Bool {
        var k = MDB_val(mv_size: key.count, mv_data: UnsafeMutableRawPointer(mutating: key.baseAddress))
        let rc = mdb_del(txn, db.dbi, &k, nil)
        if rc == MDB_NOTFOUND { return false }
        try check(rc)
        return true
    }

    /// Removes every entry of `db`, keeping the database.
    public func clear(_ db: Database) throws(LMDBError) {
        try check(mdb_drop(txn, db.dbi, 0))
    }

    /// The number of entries in `db`.
    public func count(_ db: Database) throws(LMDBError) -> Int {
        var stat = MDB_stat()
        try check(mdb_stat(txn, db.dbi, &stat))
        return stat.ms_entries
    }

    /// Runs `body` with a cursor over `db`, closed afterwards.
    public func withCursor<R>(_ db: Database, _ body: (inout Cursor) throws -> R) throws -> R {
        var handle: OpaquePointer?
        try check(mdb_cursor_open(txn, db.dbi, &handle))
        guard let handle else { throw LMDBError(code: -1) }
        defer { mdb_cursor_close(handle) }
        var cursor = Cursor(cursor: handle)
        return try body(&cursor)
    }
}

// MARK: - Convenience for common key types

extension Transaction {
    @inline(__always)
    public func get(_ db: Database, _ key: some ContiguousBytes) throws -> UnsafeRawBufferPointer? {
        try key.withUnsafeBytes { k in try get(db, k) }
    }

    @inline(__always)
    public func put(_ db: Database, _ key: some ContiguousBytes, _ value: some ContiguousBytes,
                    noOverwrite: Bool = false, append: Bool = false) throws {
        try key.withUnsafeBytes { k in
            try value.withUnsafeBytes { v in try put(db, k, v, noOverwrite: noOverwrite, append: append) }
        }
    }

    @discardableResult
    public func delete(_ db: Database, _ key: some ContiguousBytes) throws -> Bool {
        try key.withUnsafeBytes { k in try delete(db, k) }
    }
}

/// Types whose bytes can be read in place (arrays of bytes, `BigEndianKey`, …).
public protocol ContiguousBytes {
    func withUnsafeBytes<R>(_ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R
}

extension Array: ContiguousBytes where Element == UInt8 {}
extension ArraySlice: ContiguousBytes where Element == UInt8 {}
extension ContiguousArray: ContiguousBytes where Element == UInt8 {}
extension UnsafeRawBufferPointer: ContiguousBytes {
    public func withUnsafeBytes<R>(_ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R { try body(self) }
}

/// A `UInt64` stored big-endian, so that LMDB's byte order is numeric order.
public struct BigEndianKey: ContiguousBytes, Sendable {
    public var value: UInt64
    public init(_ value: UInt64) { self.value = value }
    public init?(_ bytes: UnsafeRawBufferPointer) {
        guard bytes.count == 8 else { return nil }
        value = UInt64(bigEndian: bytes.loadUnaligned(as: UInt64.self))
    }
    @inline(__always)
    public func withUnsafeBytes<R>(_ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        var be = value.bigEndian
        return try Swift.withUnsafeBytes(of: &be, body)
    }
}

extension String {
    /// The string's UTF-8 bytes as an LMDB key.
    public var lmdbKey: [UInt8] { Array(utf8) }
}
