#if canImport(Glibc)
import Glibc
#endif

/// Reads the two meta pages of an LMDB data file, and looks keys up in either snapshot, with
/// plain reads of the file: nothing is mapped, so a damaged file cannot crash the reader.
///
/// LMDB 0.9 checks only the magic and version of its meta pages. A damaged transaction id in
/// the newest meta page makes it open the previous snapshot instead, silently, and a damaged
/// root or last page sends it to pages that do not exist. ``problem(path:)`` finds such damage
/// before anything trusts the file. Layout (64-bit LMDB 0.9): a page header of 16 bytes
/// (pgno 8, pad 2, flags 2, lower 2, upper 2); the meta from byte 16: magic 4, version 4,
/// address 8, mapsize 8, two database records of 48 bytes (free pages, main), last page 8, txnid 8.
public struct DataFile {
    /// One database record (`MDB_db`).
    public struct DB: Equatable, Sendable {
        public var pad: UInt32
        public var flags: UInt16
        public var depth: UInt16
        public var branchPages: UInt64
        public var leafPages: UInt64
        public var overflowPages: UInt64
        public var entries: UInt64
        public var root: UInt64

        static let size = 48
        static let noRoot = UInt64.max

        init(_ b: [UInt8], at o: Int) {
            pad = UInt32(truncatingIfNeeded: DataFile.le(b, o, 4))
            flags = UInt16(truncatingIfNeeded: DataFile.le(b, o + 4, 2))
            depth = UInt16(truncatingIfNeeded: DataFile.le(b, o + 6, 2))
            branchPages = DataFile.le(b, o + 8, 8)
            leafPages = DataFile.le(b, o + 16, 8)
            overflowPages = DataFile.le(b, o + 24, 8)
            entries = DataFile.le(b, o + 32, 8)
            root = DataFile.le(b, o + 40, 8)
        }
    }

    /// One meta page (`MDB_meta`).
    public struct Meta: Equatable, Sendable {
        public var slot: Int
        public var pageNumber: UInt64
        public var pageFlags: UInt16
        public var magic: UInt32
        public var version: UInt32
        public var mapSize: UInt64
        public var free: DB
        public var main: DB
        public var lastPage: UInt64
        public var txnid: UInt64
    }

    static let magic: UInt32 = 0xBEEF_C0DE
    static let pageHeader = 16
    static let pageBranch: UInt16 = 0x01, pageLeaf: UInt16 = 0x02, pageMeta: UInt16 = 0x08
    static let nodeBigData: UInt16 = 0x01, nodeSubData: UInt16 = 0x02

    public let path: String
    public let pageSize: Int
    public let fileSize: Int
    public let metas: [Meta]
    private let fd: Int32

    /// Opens `path` (a data.mdb) and reads its meta pages; `nil` when it cannot even do that.
    public init?(path: String) {
        let fd = open(path, O_RDONLY)
        guard fd >= 0 else { return nil }
        var st = stat()
        guard fstat(fd, &st) == 0 else { Glibc.close(fd); return nil }
        self.fd = fd
        self.path = path
        // The page size is stored in the free-pages record of meta page 0 (its `pad`). Both meta
        // pages are read with one read, so that a commit running meanwhile cannot tear them apart.
        var head = [UInt8](repeating: 0, count: min(Int(st.st_size), 2 * 65_536))
        guard head.count >= 256, Self.readFully(fd, &head, at: 0) else { Glibc.close(fd); return nil }
        // The size is taken after the meta pages: a commit writes its pages (growing the file)
        // before its meta page, so every page a meta page read here names is inside this size,
        // even when another process commits meanwhile.
        guard fstat(fd, &st) == 0 else { Glibc.close(fd); return nil }
        fileSize = Int(st.st_size)
        let size = Int(Self.le(head, 40, 4))
        pageSize = size
        guard size >= 512, size <= 65_536, size & (size - 1) == 0, fileSize >= 2 * size else {
            metas = []
            return
        }
        var found: [Meta] = []
        for slot in 0..<2 {
            let page = Array(head[(slot * size)..<(slot * size + 160)])
            found.append(Meta(slot: slot, pageNumber: Self.le(page, 0, 8), pageFlags: UInt16(truncatingIfNeeded: Self.le(page, 10, 2)),
                              magic: UInt32(truncatingIfNeeded: Self.le(page, 16, 4)), version: UInt32(truncatingIfNeeded: Self.le(page, 20, 4)),
                              mapSize: Self.le(page, 32, 8), free: DB(page, at: 40), main: DB(page, at: 88),
                              lastPage: Self.le(page, 136, 8), txnid: Self.le(page, 144, 8)))
        }
        metas = found
    }

    public func close() { _ = Glibc.close(fd) }

    /// The meta page LMDB opens: the one with the higher transaction id (slot 0 on a tie).
    public var newest: Meta? {
        guard metas.count == 2 else { return nil }
        return metas[1].txnid > metas[0].txnid ? metas[1] : metas[0]
    }

    /// The other meta page: the snapshot before the newest.
    public var previous: Meta? {
        guard metas.count == 2 else { return nil }
        return metas[1].txnid > metas[0].txnid ? metas[0] : metas[1]
    }

    /// What is wrong with the meta pages, in words; `nil` when they are consistent.
    ///
    /// Each commit writes meta page `txnid % 2`, so the two pages hold the last two commits,
    /// `T` and `T-1`, each in its own slot (or 0 and 0 before the first commit).
    public func problem() -> String? {
        guard metas.count == 2 else { return "its header pages are unreadable (page size \(pageSize), \(fileSize) bytes)" }
        let pages = UInt64(fileSize / pageSize)
        for m in metas {
            guard m.pageNumber == UInt64(m.slot), m.pageFlags & Self.pageMeta != 0, m.magic == Self.magic, m.version == 1 else {
                return "meta page \(m.slot) is damaged (page number, flags, magic or version)"
            }
            guard Int(m.free.pad) == pageSize else { return "meta page \(m.slot) is damaged (page size)" }
            // LMDB maps the newest page's map size: an absurd one (a flipped high bit) fails to map.
            guard m.mapSize >= UInt64(2 * pageSize), m.mapSize <= 1 << 44 else {
                return "meta page \(m.slot) is damaged (map size \(m.mapSize))"
            }
        }
        let (a, b) = (metas[0].txnid, metas[1].txnid)
        let consistent = (a == 0 && b == 0) || (max(a, b) - min(a, b) == 1 && (a > b ? 0 : 1) == Int(max(a, b) % 2))
        guard consistent else {
            return "the meta pages' transaction ids \(a) and \(b) do not follow each other: a header page is damaged"
        }
        let m = newest!
        // The last page may lie beyond the end of the file: pages a commit allocated and freed
        // again ("loose" pages) are never written. It must lie inside the map, or LMDB cannot
        // open the file; the roots, which LMDB reads first, must lie inside the file.
        guard m.lastPage >= 1, m.lastPage < m.mapSize / UInt64(pageSize) else {
            return "meta page \(m.slot) names last page \(m.lastPage), beyond its map of \(m.mapSize / UInt64(pageSize)) pages"
        }
        for (db, name) in [(m.free, "free-page"), (m.main, "main")] where db.root != DB.noRoot {
            guard db.root >= 2, db.root <= m.lastPage, db.root < pages, db.depth >= 1, db.depth <= 32 else {
                return "meta page \(m.slot) is damaged (the \(name) tree's root \(db.root) or depth \(db.depth) is impossible in a file of \(pages) pages)"
            }
        }
        return nil
    }

    /// The value of `key` in the named database `database`, as the snapshot of `meta` holds it;
    /// `nil` when it is not there or the pages on the way are not readable as a tree.
    public func lookup(in meta: Meta, database: String, key: [UInt8]) -> [UInt8]? {
        guard meta.main.root != DB.noRoot,
              let record = find(root: meta.main.root, depth: meta.main.depth, lastPage: meta.lastPage, key: Array(database.utf8)),
              record.flags & Self.nodeSubData != 0, record.data.count == DB.size else { return nil }
        let db = DB(record.data, at: 0)
        guard db.root != DB.noRoot,
              let found = find(root: db.root, depth: db.depth, lastPage: meta.lastPage, key: key),
              found.flags & (Self.nodeSubData | Self.nodeBigData) == 0 else { return nil }
        return found.data
    }

    /// Descends from `root` to the leaf that would hold `key`.
    private func find(root: UInt64, depth: UInt16, lastPage: UInt64, key: [UInt8]) -> (flags: UInt16, data: [UInt8])? {
        var pgno = root
        for _ in 0..<Int(min(depth, 32)) {
            guard pgno >= 2, pgno <= lastPage, let page = readPage(pgno) else { return nil }
            let flags = UInt16(truncatingIfNeeded: Self.le(page, 10, 2))
            let lower = Int(Self.le(page, 12, 2)), upper = Int(Self.le(page, 14, 2))
            guard lower >= Self.pageHeader, lower <= upper, upper <= pageSize else { return nil }
            let count = (lower - Self.pageHeader) / 2
            func node(_ i: Int) -> (lo: UInt64, hi: UInt64, flags: UInt16, key: ArraySlice<UInt8>, dataAt: Int)? {
                let at = Int(Self.le(page, Self.pageHeader + 2 * i, 2))
                guard at >= upper, at + 8 <= pageSize else { return nil }
                let ksize = Int(Self.le(page, at + 6, 2))
                guard at + 8 + ksize <= pageSize else { return nil }
                return (Self.le(page, at, 2), Self.le(page, at + 2, 2), UInt16(truncatingIfNeeded: Self.le(page, at + 4, 2)),
                        page[(at + 8)..<(at + 8 + ksize)], at + 8 + ksize)
            }
            if flags & Self.pageBranch != 0 {
                // The last node whose key is not after `key`; the first node's key counts as the smallest.
                var chosen: UInt64?
                for i in 0..<count {
                    guard let n = node(i) else { return nil }
                    if i > 0, Self.compare(n.key, key[...]) > 0 { break }
                    chosen = n.lo | n.hi << 16 | UInt64(n.flags) << 32
                }
                guard let chosen else { return nil }
                pgno = chosen
            } else if flags & Self.pageLeaf != 0 {
                for i in 0..<count {
                    guard let n = node(i) else { return nil }
                    guard n.key.elementsEqual(key) else { continue }
                    let size = n.flags & Self.nodeBigData != 0 ? 8 : Int(n.lo | n.hi << 16)
                    guard n.dataAt + size <= pageSize else { return nil }
                    return (n.flags, Array(page[n.dataAt..<(n.dataAt + size)]))
                }
                return nil
            } else {
                return nil
            }
        }
        return nil
    }

    private func readPage(_ pgno: UInt64) -> [UInt8]? {
        var page = [UInt8](repeating: 0, count: pageSize)
        let offset = Int(pgno) * pageSize
        guard offset + pageSize <= fileSize, Self.readFully(fd, &page, at: offset) else { return nil }
        return page
    }

    /// LMDB's default order: bytes compared as unsigned, a prefix first.
    static func compare(_ a: ArraySlice<UInt8>, _ b: ArraySlice<UInt8>) -> Int {
        for (x, y) in zip(a, b) where x != y { return x < y ? -1 : 1 }
        return a.count == b.count ? 0 : (a.count < b.count ? -1 : 1)
    }

    static func le(_ b: [UInt8], _ offset: Int, _ count: Int) -> UInt64 {
        var v: UInt64 = 0
        for i in (0..<count).reversed() where offset + i < b.count { v = v << 8 | UInt64(b[offset + i]) }
        return v
    }

    static func readFully(_ fd: Int32, _ buffer: inout [UInt8], at offset: Int) -> Bool {
        let want = buffer.count
        let n = buffer.withUnsafeMutableBytes { pread(fd, $0.baseAddress, want, off_t(offset)) }
        return n == want
    }
}
