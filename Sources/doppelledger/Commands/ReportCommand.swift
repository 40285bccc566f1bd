import ArgumentParser
import Foundation
import LedgerStore
import LedgerCore

/// Formats of the quarterly report.
enum ReportFormat: String, ExpressibleByArgument, CaseIterable {
    case html, md
}

struct ReportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "The quarterly report for the steering bodies: plan vs. actual, prevention, hours, cases, posts, reconciliation, flags.",
        discussion: "Aggregates only, small cells suppressed (docs/REPORT.md). HTML is one self-contained printable page with charts.")

    @Argument(help: "The ledger folder.") var dir: String
    @Option(help: "The budget year.") var year: Int
    @Option(help: "The quarter (1-4).") var quarter: Int
    @Option(help: "html or md.") var format: ReportFormat = .html
    @Option(help: "The file to write (\"-\" or absent: standard output).") var output: String?
    @Option(help: "As the ledger knew it at this RFC 3339 time.") var asOf: String?

    func run() throws {
        try checkYearQuarter(year, quarter)
        let asOf = try parseTimestamp(asOf, option: "--as-of")
        let ledger = try openLedger(dir)
        let report = try ledger.quarterlyReport(year: year, quarter: quarter, asOf: asOf)
        let text = format == .html ? report.html : report.markdown
        guard let output, output != "-" else {
            writeText(text)
            return
        }
        do {
            try Data(text.utf8).write(to: URL(fileURLWithPath: output), options: .atomic)
        } catch {
            throw fail("--output: cannot write \(output): \(error.localizedDescription)")
        }
        printLine("wrote the quarterly report Q\(quarter)/\(year) of \(ledger.name) (\(format.rawValue), \(text.utf8.count) bytes) to \(output)")
    }
}
