#if canImport(Glibc)
import Glibc
#endif

/// Runs each figure in a child process of its own (this executable again, with `--figure`), so
/// that its peak resident memory is its own and nothing of an earlier figure lingers.
enum Child {
    struct Outcome {
        var exitStatus: Int32
        /// Peak resident set of the child (ru_maxrss), in bytes.
        var peakRSSBytes: Int
        var seconds: Double
        /// User and system CPU time of the child (both threads where there are two).
        var cpuSeconds: Double
    }

    /// The path of this executable.
    static var executablePath: String {
        var buffer = [CChar](repeating: 0, count: 4096)
        let n = readlink("/proc/self/exe", &buffer, buffer.count - 1)
        guard n > 0 else { return CommandLine.arguments[0] }
        return String(decoding: buffer[0..<n].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// Starts this executable with `arguments` and waits for it.
    static func run(_ arguments: [String]) -> Outcome {
        let argv = ([executablePath] + arguments).map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        var pid: pid_t = 0
        let start = nowNanos()
        let rc = posix_spawn(&pid, executablePath, nil, nil, argv, environ)
        guard rc == 0 else { return Outcome(exitStatus: -1, peakRSSBytes: 0, seconds: 0, cpuSeconds: 0) }
        var status: Int32 = 0
        var usage = rusage()
        while wait4(pid, &status, 0, &usage) < 0 && errno == EINTR {}
        let elapsed = Double(nowNanos() - start) / 1e9
        // WIFEXITED / WEXITSTATUS by hand (they are macros).
        let exited = status & 0x7F == 0
        return Outcome(exitStatus: exited ? (status >> 8) & 0xFF : 128 + (status & 0x7F),
                       peakRSSBytes: Int(usage.ru_maxrss) * 1024, seconds: elapsed,
                       cpuSeconds: Double(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec)
                           + Double(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6)
    }
}

/// What a figure's child reports back: named numbers, one `name value` line each, in a file.
struct Metrics {
    private(set) var values: [(String, Double)] = []

    mutating func set(_ name: String, _ value: Double) { values.append((name, value)) }

    func write(to path: String) {
        guard let f = fopen(path, "w") else { return }
        for (name, value) in values { fputs("\(name) \(value)\n", f) }
        fclose(f)
    }

    static func read(from path: String) -> [String: Double] {
        guard let f = fopen(path, "r") else { return [:] }
        defer { fclose(f) }
        var out: [String: Double] = [:]
        var line: UnsafeMutablePointer<CChar>?
        var cap = 0
        while getline(&line, &cap, f) > 0 {
            let parts = String(cString: line!).split(separator: " ")
            if parts.count == 2, let v = Double(parts[1].trimmingCharacters()) { out[String(parts[0])] = v }
        }
        free(line)
        return out
    }
}

extension Substring {
    func trimmingCharacters() -> Substring {
        var s = self
        while let c = s.last, c == "\n" || c == " " || c == "\r" { s.removeLast() }
        return s
    }
}

/// Fields of /proc/self/status (and /proc/self/io).
enum ProcStatus {
    /// Bytes this process has handed to write calls so far (`wchar` of /proc/self/io).
    static var bytesWritten: Int? { number("wchar", in: "/proc/self/io") }

    /// Resets the peak resident set (VmHWM, and so the ru_maxrss the parent reads) to the
    /// current resident set (Linux 4.0 and later); false when the kernel refuses.
    static func resetPeakRSS() -> Bool {
        guard let f = fopen("/proc/self/clear_refs", "w") else { return false }
        defer { fclose(f) }
        return fputs("5", f) >= 0 && fflush(f) == 0
    }

    static func kilobytes(_ field: String) -> Int? { number(field, in: "/proc/self/status") }

    private static func number(_ field: String, in path: String) -> Int? {
        guard let f = fopen(path, "r") else { return nil }
        defer { fclose(f) }
        var line: UnsafeMutablePointer<CChar>?
        var cap = 0
        defer { free(line) }
        while getline(&line, &cap, f) > 0, let line {
            let text = String(decoding: UnsafeRawBufferPointer(start: line, count: strlen(line)), as: UTF8.self)
            guard text.hasPrefix(field + ":") else { continue }
            return Int(text.dropFirst(field.count + 1).filter { $0.isNumber })
        }
        return nil
    }
}
