import ArgumentParser
import LedgerStore
import LedgerCore

struct BackupCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "backup",
        abstract: "Take a consistent, compacted hot copy of a ledger (appends may go on) and verify it.")

    @Argument(help: "The ledger folder.") var dir: String
    @Argument(help: "The backup folder (must not exist or be empty).") var dest: String

    func run() throws {
        let ledger = try openLedger(dir)
        try ledger.backup(to: dest)
        let copy = try openLedger(dest)
        let result = try copy.verify()
        guard result.isValid else {
            printError("the backup in \(dest) does not verify: \(result.failure ?? "")")
            throw Failure(status: Exit.found, message: "")
        }
        printLine("backed up \(ledger.name) to \(dest): \(result.records) records, head seq \(result.lastSeq) hash \(result.lastHash.hex); verified")
    }
}
