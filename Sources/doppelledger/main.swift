import ArgumentParser
import LedgerStore
import LedgerCore
#if canImport(Glibc)
import Glibc
#endif

/// Exit statuses of CONTRACT section 5.
enum Exit {
    static let ok: Int32 = 0
    /// The check found something (verification failed, discrepancies found).
    static let found: Int32 = 1
    /// Bad usage or bad input.
    static let badInput: Int32 = 2
    /// The machine failed (disk full, damaged data file): not the user's input.
    static let failure: Int32 = 3
}

struct Doppelledger: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "doppelledger",
        abstract: "The Doppelcontrolling ledger of Jugendamt and Träger: append-only, hash-chained, reconciled each quarter.",
        subcommands: [
            InitCommand.self, AppendCommand.self, ImportCommand.self, ExportCommand.self, VerifyCommand.self,
            HeadCommand.self, BudgetCommand.self, KontrakteCommand.self, ReconcileCommand.self, ReportCommand.self,
            ServeCommand.self, SyncCommand.self, TokenCommand.self, RebuildCommand.self, BackupCommand.self,
            DemoCommand.self,
        ]
    )
}

/// An error that has already been explained to the user; carries the exit status.
struct Failure: Error {
    let status: Int32
    let message: String
}

func fail(_ message: String, status: Int32 = Exit.badInput) -> Failure {
    Failure(status: status, message: message)
}

func printError(_ message: String) {
    var text = message
    if !text.hasPrefix("doppelledger:") { text = "doppelledger: " + text }
    writeStderr(text + "\n")
}

/// Runs an async command (serve, sync). A function of its own, so that `run()` resolves to the async one.
func runAsync(_ command: inout any AsyncParsableCommand) async throws {
    try await command.run()
}

// Parse and run by hand so that usage errors exit with 2, as the contract says.
if CommandLine.arguments.count == 1 {
    // No command at all is bad usage (exit 2), with the help to show what there is.
    writeStderr(Doppelledger.helpMessage() + "\n")
    exit(Exit.badInput)
}
do {
    var command = try Doppelledger.parseAsRoot()
    if var asyncCommand = command as? any AsyncParsableCommand {
        try await runAsync(&asyncCommand)
    } else {
        try command.run()
    }
    exit(Exit.ok)
} catch let failure as Failure {
    if !failure.message.isEmpty { printError(failure.message) }
    exit(failure.status)
} catch let error as LedgerError {
    printError(error.description)
    exit(error.isBadInput ? Exit.badInput : Exit.failure)
} catch let error as LedgerCore.ValidationError {
    printError(error.message)
    exit(Exit.badInput)
} catch {
    let code = Doppelledger.exitCode(for: error)
    if code == .success {
        Doppelledger.exit(withError: error)
    }
    let message = Doppelledger.fullMessage(for: error)
    if !message.isEmpty { writeStderr(message + "\n") }
    exit(code == .validationFailure || code.rawValue == 64 ? Exit.badInput : code.rawValue)
}
