import Foundation
import LedgerStore
import LedgerCore

/// The policy every command uses: the domain rules.
func defaultPolicy() -> any LedgerPolicy { DomainPolicy(views: Projector()) }

func openLedger(_ dir: String) throws -> Ledger {
    try Ledger.open(at: dir, policy: defaultPolicy())
}

/// Writes bytes to standard output, unbuffered by Foundation.
func writeStdout(_ bytes: UnsafeRawBufferPointer) {
    var offset = 0
    while offset < bytes.count {
        let n = write(1, bytes.baseAddress! + offset, bytes.count - offset)
        if n <= 0 { return }
        offset += n
    }
}

func printLine(_ text: String) {
    var line = Array(text.utf8)
    line.append(0x0A)
    line.withUnsafeBytes(writeStdout)
}

/// Whether standard error is a terminal (progress is shown only there).
let stderrIsTerminal = isatty(2) != 0

/// Prints progress on a terminal, at most a few times a second; silent otherwise.
final class Progress {
    private let label: String
    private var last = DispatchTime.now().uptimeNanoseconds
    private var shown = false

    init(_ label: String) { self.label = label }

    func update(_ count: Int, of total: Int? = nil) {
        guard stderrIsTerminal else { return }
        let now = DispatchTime.now().uptimeNanoseconds
        guard now - last > 250_000_000 else { return }
        last = now
        shown = true
        if let total, total > 0 {
            writeStderr("\r\(label): \(count) of \(total) (\(count * 100 / total) %)")
        } else {
            writeStderr("\r\(label): \(count)")
        }
    }

    func done() {
        if shown { writeStderr("\r\u{1B}[K") }
    }
}

/// Reads a file (or standard input for "-") in chunks of 1 MiB.
func readChunks(_ path: String, _ body: (UnsafeRawBufferPointer) throws -> Void) throws {
    let fd: Int32 = path == "-" ? 0 : open(path, O_RDONLY)
    guard fd >= 0 else { throw fail("cannot open \(path): \(String(cString: strerror(errno)))") }
    defer { if fd != 0 { close(fd) } }
    var buffer = [UInt8](repeating: 0, count: 1 << 20)
    while true {
        let n = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
        if n < 0 { throw fail("cannot read \(path): \(String(cString: strerror(errno)))") }
        if n == 0 { return }
        try buffer.withUnsafeBytes { try body(UnsafeRawBufferPointer(rebasing: $0[0..<n])) }
    }
}

/// Splits chunks into lines (without the newline), numbering them from 1.
struct LineSplitter {
    private var pending: [UInt8] = []
    private(set) var lineNumber = 0

    mutating func feed(_ chunk: UnsafeRawBufferPointer, _ body: (Int, UnsafeRawBufferPointer) throws -> Void) rethrows {
        var start = 0
        for i in 0..<chunk.count where chunk[i] == 0x0A {
            lineNumber += 1
            if pending.isEmpty {
                try body(lineNumber, UnsafeRawBufferPointer(rebasing: chunk[start..<i]))
            } else {
                pending.append(contentsOf: UnsafeRawBufferPointer(rebasing: chunk[start..<i]))
                let whole = pending
                pending.removeAll(keepingCapacity: true)
                try whole.withUnsafeBytes { try body(lineNumber, $0) }
            }
            start = i + 1
        }
        pending.append(contentsOf: UnsafeRawBufferPointer(rebasing: chunk[start...]))
    }

    mutating func finish(_ body: (Int, UnsafeRawBufferPointer) throws -> Void) rethrows {
        guard !pending.isEmpty else { return }
        lineNumber += 1
        let whole = pending
        pending.removeAll()
        try whole.withUnsafeBytes { try body(lineNumber, $0) }
    }
}

func parseTimestamp(_ text: String?, option: String) throws -> Timestamp? {
    guard let text else { return nil }
    guard let t = Timestamp(rfc3339: text) else {
        throw fail("\(option) must be an RFC 3339 time like 2025-04-02T09:15:00Z (or a date YYYY-MM-DD), got \"\(text)\"")
    }
    return t
}

/// Writes text to standard error.
func writeStderr(_ text: String) {
    var bytes = Array(text.utf8)
    bytes.withUnsafeMutableBytes { raw in
        var offset = 0
        while offset < raw.count {
            let n = write(2, raw.baseAddress! + offset, raw.count - offset)
            if n <= 0 { return }
            offset += n
        }
    }
}
