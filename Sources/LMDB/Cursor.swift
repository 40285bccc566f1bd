internal import CLMDB

/// A cursor over one database, valid inside ``Transaction/withCursor(_:_:)``.
/// Keys and values it returns point into the map: decode them before the transaction ends.
public struct Cursor {
    let cursor: OpaquePointer

    /// A key and its value, both pointing into the map.
    public typealias Entry = (key: UnsafeRawBufferPointer, value: UnsafeRawBufferPointer)

    @inline(__always)
    private func move(_ op: MDB_cursor_op, key: UnsafeRawBufferPointer? = nil) throws(LMDBError) -> Entry? {
        var k = MDB_val()
        if let key { k = MDB_val(mv_size: key.count, mv_data: UnsafeMutableRawPointer(mutating: key.baseAddress)) }
        var v = MDB_val()
        let rc = mdb_cursor_get(cursor, &k, &v, op)
        if rc == MDB_NOTFOUND { return nil }
        try check(rc)
        return (UnsafeRawBufferPointer(start: k.mv_data, count: k.mv_size),
                UnsafeRawBufferPointer(start: v.mv_data, count: v.mv_size))
    }

    /// The first entry.
    public mutating func first() throws(LMDBError) -> Entry? { try move(MDB_FIRST) }
    /// The last entry.
    public mutating func last() throws(LMDBError) -> Entry? { try move(MDB_LAST) }
    /// The next entry.
    @inline(__always)
    public mutating func next() throws(LMDBError) -> Entry? { try move(MDB_NEXT) }
    /// The previous entry.
    public mutating func previous() throws(LMDBError) -> Entry? { try move(MDB_PREV) }
    /// The first entry whose key is greater than or equal to `key`.
    public mutating func seek(atLeast key: UnsafeRawBufferPointer) throws(LMDBError) -> Entry? {
        try move(MDB_SET_RANGE, key: key)
    }
    /// The first entry whose key is greater than or equal to `key`.
    public mutating func seek(atLeast key: some ContiguousBytes) throws -> Entry? {
        try key.withUnsafeBytes { k throws(LMDBError) in try seek(atLeast: k) }
    }
}
