import Foundation

/// The few file operations the ledger needs, with errors as sentences.
enum FileSystem {
    static func exists(_ path: String) -> Bool {
        FileManager.default.fileExists(atPath: path)
    }

    /// Creates `path` (and parents) unless it exists; refuses a non-empty folder.
    static func makeEmptyDirectory(_ path: String) throws {
        var isDir: ObjCBool = false
        if FileManager.default.fileExists(atPath: path, isDirectory: &isDir) {
            guard isDir.boolValue, (try? FileManager.default.contentsOfDirectory(atPath: path))?.isEmpty == true else {
                throw LedgerError.alreadyExists(path)
            }
            return
        }
        do {
            try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        } catch {
            throw LedgerError.usage("cannot create the folder \(path): \(error.localizedDescription)")
        }
    }

    static func write(_ text: String, to path: String, mode: Int) throws {
        guard FileManager.default.createFile(atPath: path, contents: Data(text.utf8), attributes: [.posixPermissions: mode]) else {
            throw LedgerError.usage("cannot write \(path)")
        }
    }

    static func read(_ path: String) throws -> String {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw LedgerError.usage("cannot read \(path)")
        }
        return String(decoding: data, as: UTF8.self)
    }
}

extension String {
    func trimmingWhitespace() -> String {
        trimmingCharacters(in: .whitespacesAndNewlines)
    }
}

/// A plain mutex for the single in-process writer.
final class Lock: @unchecked Sendable {
    private let lock = NSLock()
    func withLock<R>(_ body: () throws -> R) rethrows -> R {
        lock.lock()
        defer { lock.unlock() }
        return try body()
    }
}

/// A counter several threads may step, with a mark to measure growth from.
final class Tally: @unchecked Sendable {
    private let lock = NSLock()
    private var value = 0
    private var mark: Int?

    /// Adds one and returns the new value.
    func next() -> Int {
        lock.lock()
        defer { lock.unlock() }
        value += 1
        return value
    }

    /// Whether `now` exceeds the mark by more than `by` (the first call sets the mark).
    func grew(to now: Int, by: Int) -> Bool {
        lock.lock()
        defer { lock.unlock() }
        guard let mark else {
            self.mark = now
            return false
        }
        return now - mark > by
    }

    func setMark(_ now: Int) {
        lock.lock()
        defer { lock.unlock() }
        mark = now
    }
}
