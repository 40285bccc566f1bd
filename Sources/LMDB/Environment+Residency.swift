internal import CLMDB
#if canImport(Glibc)
import Glibc
#endif

extension Environment {
    /// Drops pages of this environment's map from this process's resident set: those in `range`
    /// (widened to whole 64 KiB blocks) or, without a range, the whole map. `pointer` is memory
    /// handed out by a read in a transaction still open: it proves which mapping is the map.
    ///
    /// The data stays in the operating system's page cache and is mapped in again, unchanged, on
    /// the next access, so this is safe during any transaction. Long scans call it for the stretch
    /// they have passed, so that the process's memory does not grow with the size of the file.
    /// (On a fault the kernel also maps the cached neighbours within a 64 KiB block: hence the
    /// widening, and now and then the whole map for neighbours of pages outside the range.)
    public func releaseResidentPages(of pointer: UnsafeRawPointer, range: Range<UInt>? = nil) {
        #if os(Linux)
        var info = MDB_envinfo()
        mdb_env_info(env, &info)
        guard let map = residency.map(containing: UInt(bitPattern: pointer), size: UInt(info.me_mapsize),
                                      dataFile: path + "/data.mdb") else { return }
        var lo = map.lowerBound, hi = map.upperBound
        if let range {
            let block: UInt = 64 << 10
            lo = max(lo, range.lowerBound - range.lowerBound % block)
            hi = min(hi, range.upperBound + (block - range.upperBound % block) % block)
            guard lo < hi else { return }
        }
        _ = madvise(UnsafeMutableRawPointer(bitPattern: lo), Int(hi - lo), MADV_DONTNEED)
        #endif
    }
}

/// The bytes of files mapped into this process that are resident (the "shared" pages of
/// /proc/self/statm: the data file's pages a read touched, and the program's own code); `nil`
/// where that cannot be read. Cheap enough to look at every few queries.
public func residentFileBytes() -> Int? {
    #if os(Linux)
    let fd = open("/proc/self/statm", O_RDONLY)
    guard fd >= 0 else { return nil }
    defer { close(fd) }
    var buffer = [UInt8](repeating: 0, count: 128)
    let n = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
    guard n > 0 else { return nil }
    let fields = buffer[0..<n].split(separator: UInt8(ascii: " "))
    guard fields.count >= 3, let pages = Int(String(decoding: fields[2], as: UTF8.self)) else { return nil }
    return pages * Int(sysconf(Int32(_SC_PAGESIZE)))
    #else
    return nil
    #endif
}

/// Where this environment's file is mapped, looked up in /proc/self/maps and remembered until the
/// map moves (it is re-created when it grows).
final class Residency: @unchecked Sendable {
    private let lock = Mutex()
    private var cached: Range<UInt>?

    /// The mapping of `dataFile` that holds `address`, when it is `size` bytes long (the map is
    /// re-created only with another size, so a remembered range of this size holding a live
    /// address is the map).
    func map(containing address: UInt, size: UInt, dataFile: String) -> Range<UInt>? {
        lock.withLock {
            if let cached, cached.contains(address), UInt(cached.count) == size { return cached }
            cached = Self.lookUp(address, dataFile)
            guard let found = cached, UInt(found.count) == size else { cached = nil; return nil }
            return found
        }
    }

    private static func lookUp(_ address: UInt, _ dataFile: String) -> Range<UInt>? {
        fileMappings(dataFile).first { $0.contains(address) }
    }
}
