import Foundation
import LMDB

extension Ledger {
    /// Writes a consistent, compacted copy of the ledger into `destination` (which must not exist
    /// or be empty) while appends go on: LMDB copies one read snapshot. The node key comes
    /// along (mode 0600), so a restored node can sign again: keep backups as safe as the node.
    public func backup(to destination: String) throws {
        try FileSystem.makeEmptyDirectory(destination)
        do {
            try env.copy(to: destination, compact: true)
        } catch {
            throw LedgerError.from(error, path: destination)
        }
        for (file, mode) in [("node.key", 0o600), ("node.pub", 0o644)] {
            let source = directory + "/" + file
            guard FileSystem.exists(source) else { continue }
            try FileSystem.write(try FileSystem.read(source), to: destination + "/" + file, mode: mode)
        }
    }
}
