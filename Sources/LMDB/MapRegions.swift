internal import CLMDB
#if canImport(Glibc)
import Glibc
#endif

/// The address ranges of the memory maps of this process's open environments, for a crash
/// handler: a fault inside a map is a read of the data file (a damaged file, a file cut short);
/// a fault elsewhere is not.
///
/// ``contains(_:)`` is safe to call from a signal handler: it reads fixed storage allocated at
/// start, with plain loads, no locks and no allocation. Writers (environments opening, growing,
/// closing) serialise among themselves.
public enum MapRegions {
    static let slots = 64
    /// `[start, end)` pairs; `0, 0` is a free slot.
    nonisolated(unsafe) static let storage: UnsafeMutablePointer<UInt> = {
        let p = UnsafeMutablePointer<UInt>.allocate(capacity: slots * 2)
        p.initialize(repeating: 0, count: slots * 2)
        return p
    }()
    static let lock = Mutex()

    /// Makes sure the storage exists before a signal handler may read it (call once at start).
    public static func prepare() { _ = storage }

    /// Whether `address` lies in the map of an open environment.
    public static func contains(_ address: UInt) -> Bool {
        for i in 0..<slots {
            let start = storage[2 * i], end = storage[2 * i + 1]
            if start != 0, address >= start, address < end { return true }
        }
        return false
    }

    /// Records (or updates) the map of the data file `file` in `slot` (-1: take a free one);
    /// returns the slot. LMDB does not tell where it mapped the file (`me_mapaddr` is set only
    /// for fixed maps), so the kernel's list of this process's mappings is read.
    static func record(file: String, slot: Int) -> Int {
        guard let (start, end) = mapping(of: file) else {
            remove(slot: slot)
            return -1
        }
        return lock.withLock {
            var s = slot
            if s < 0 { s = (0..<slots).first { storage[2 * $0] == 0 } ?? -1 }
            guard s >= 0 else { return -1 } // more environments than slots: not recorded
            storage[2 * s] = 0
            storage[2 * s + 1] = end
            storage[2 * s] = start
            return s
        }
    }

    /// The address range the file `path` is mapped at (the largest, if several; LMDB maps the
    /// whole map size in one mapping).
    static func mapping(of path: String) -> (UInt, UInt)? {
        fileMappings(path).max { $0.count < $1.count }.map { ($0.lowerBound, $0.upperBound) }
    }

    /// Frees `slot` (an environment closing).
    static func remove(slot: Int) {
        guard slot >= 0 else { return }
        lock.withLock {
            storage[2 * slot] = 0
            storage[2 * slot + 1] = 0
        }
    }
}

/// Every address range at which the file `path` is mapped into this process, from
/// `/proc/self/maps` (Linux; empty elsewhere). Shared by the crash guard's regions and the
/// release of resident pages.
func fileMappings(_ path: String) -> [Range<UInt>] {
    guard let file = fopen("/proc/self/maps", "r") else { return [] }
    defer { fclose(file) }
    var resolved = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
    let target = realpath(path, &resolved) != nil ? String(cString: resolved) : path
    var line = [CChar](repeating: 0, count: 4096 + Int(PATH_MAX))
    var found: [Range<UInt>] = []
    while fgets(&line, Int32(line.count), file) != nil {
        var text = String(cString: line)
        if text.hasSuffix("\n") { text.removeLast() }
        // "start-end perms offset dev inode   path"
        guard text.hasSuffix(" " + target), let space = text.firstIndex(of: " ") else { continue }
        let range = text[..<space].split(separator: "-")
        guard range.count == 2, let start = UInt(range[0], radix: 16), let end = UInt(range[1], radix: 16), start < end else { continue }
        found.append(start..<end)
    }
    return found
}
