#if canImport(Glibc)
import Glibc
#endif

extension Environment {
    /// Drops the map's pages that overlap `range` (memory handed out by a read of this
    /// environment) from this process's resident set.
    ///
    /// The data stays in the operating system's page cache and is mapped in again, unchanged, on
    /// the next access, so this is safe during any transaction. Long scans call it for what they
    /// have passed, so that the process's memory does not grow with the size of the file.
    /// Memory that is not this environment's map is left alone (checked against /proc/self/maps).
    public func releaseResidentPages(_ range: UnsafeRawBufferPointer) {
        #if os(Linux)
        guard let start = range.baseAddress, range.count > 0 else { return }
        let lo = UInt(bitPattern: start), hi = lo + UInt(range.count)
        guard let map = residency.map(containing: lo, dataFile: path + "/data.mdb"), hi <= map.upperBound else { return }
        let page = UInt(sysconf(Int32(_SC_PAGESIZE)))
        let first = lo - lo % page
        _ = madvise(UnsafeMutableRawPointer(bitPattern: first), Int(hi - first), MADV_DONTNEED)
        #endif
    }
}

/// Where this environment's file is mapped, looked up in /proc/self/maps and remembered until the
/// map moves (it is re-created when it grows).
final class Residency: @unchecked Sendable {
    private let lock = Mutex()
    private var cached: Range<UInt>?

    func map(containing address: UInt, dataFile: String) -> Range<UInt>? {
        lock.withLock {
            if let cached, cached.contains(address) { return cached }
            cached = Self.lookUp(address, dataFile)
            return cached
        }
    }

    private static func lookUp(_ address: UInt, _ dataFile: String) -> Range<UInt>? {
        guard let f = fopen("/proc/self/maps", "r") else { return nil }
        defer { fclose(f) }
        var line: UnsafeMutablePointer<CChar>?
        var capacity = 0
        defer { free(line) }
        var real = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
        let wanted = realpath(dataFile, &real) != nil
            ? String(decoding: real.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self) : dataFile
        while getline(&line, &capacity, f) > 0, let line {
            // "start-end perms offset dev inode   path"
            let text = String(decoding: UnsafeRawBufferPointer(start: line, count: strlen(line)), as: UTF8.self)
            let fields = text.split(separator: " ", omittingEmptySubsequences: true)
            guard fields.count >= 6, fields[5].hasPrefix("/") else { continue }
            let bounds = fields[0].split(separator: "-")
            guard bounds.count == 2, let start = UInt(bounds[0], radix: 16), let end = UInt(bounds[1], radix: 16),
                  start <= address, address < end else { continue }
            let path = fields[5...].joined(separator: " ").trimmingNewline()
            return path == wanted ? start..<end : nil
        }
        return nil
    }
}

extension String {
    fileprivate func trimmingNewline() -> String {
        var s = self
        while s.last == "\n" { s.removeLast() }
        return s
    }
}
